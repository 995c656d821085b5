package pii_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callaudit/callaudit/transcribe/pii"
)

// FuzzRedact checks that Find and Redact never panic, that findings are
// ordered, disjoint, inside the text and on character boundaries, and that
// the replacements describe the masked text exactly: putting the originals
// back gives the input.
func FuzzRedact(f *testing.F) {
	for _, seed := range []string{
		"", "+7 (912) 345-67-89", "восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь",
		"карта 4111 1111 1111 1111 cvv 123", "серия 4508, номер 123456", "СНИЛС 112-233-445 95 ИНН 500100732259",
		"ivan собака mail точка ru a@b.c @@ x@y.zz", "дата рождения 15.03.1985 родилась 3 мая", "код из смс 4821",
		"+++ ((( 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8", "\xff\xd0\xd1 8\xd0 912", "ЁЁЁ Ё1 ЯЯЯ 12 500 руб",
		"серия 12 34 серия 56 78 номер", "плюс плюс семь", "родился родился 1985-03-15 dob 1/2/85",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := pii.Find(text)
		for i, x := range fs {
			if x.Start < 0 || x.End > len(text) || x.Start >= x.End {
				t.Fatalf("finding %d out of bounds: %+v (len %d)", i, x, len(text))
			}
			if i > 0 && x.Start < fs[i-1].End {
				t.Fatalf("findings overlap: %+v %+v", fs[i-1], x)
			}
			if !slices.Contains(pii.Kinds, x.Kind) || x.Confidence <= 0.5 || x.Confidence > 1 {
				t.Fatalf("bad finding %+v", x)
			}
			if utf8.ValidString(text) && !utf8.ValidString(text[x.Start:x.End]) {
				t.Fatalf("finding %+v cuts a character", x)
			}
		}
		out, reps := pii.Redact(text, "ru")
		if len(reps) != len(fs) {
			t.Fatalf("%d replacements for %d findings", len(reps), len(fs))
		}
		var b strings.Builder
		prev := 0
		for _, r := range reps {
			if out[r.At:r.At+len(r.Placeholder)] != r.Placeholder {
				t.Fatalf("placeholder %q not at %d in %q", r.Placeholder, r.At, out)
			}
			b.WriteString(out[prev:r.At])
			b.WriteString(text[r.Start:r.End])
			prev = r.At + len(r.Placeholder)
		}
		b.WriteString(out[prev:])
		if b.String() != text {
			t.Fatalf("restoring %q gives %q, want %q", out, b.String(), text)
		}
	})
}
