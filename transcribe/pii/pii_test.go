package pii_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/pii"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		text string
		kind pii.Kind
		want string // the text of the only finding; "" means no finding
	}{
		{"phone +7 brackets", "Мой телефон +7 (912) 345-67-89, запишите.", pii.KindPhone, "+7 (912) 345-67-89"},
		{"phone 8 spaced", "звоните 8 912 345 67 89 после обеда", pii.KindPhone, "8 912 345 67 89"},
		{"phone 8 dashed", "номер 8-912-345-67-89", pii.KindPhone, "8-912-345-67-89"},
		{"phone solid", "пишите в ватсап 89123456789", pii.KindPhone, "89123456789"},
		{"phone +7 solid", "+79123456789 это мой", pii.KindPhone, "+79123456789"},
		{"phone 8 brackets", "8 (495) 123-45-67 офис", pii.KindPhone, "8 (495) 123-45-67"},
		{"phone city brackets no prefix", "(495) 123-45-67", pii.KindPhone, "(495) 123-45-67"},
		{"phone mobile no prefix", "да, 912 345 67 89", pii.KindPhone, "912 345 67 89"},
		{"phone pairs", "8 912 34 56 789", pii.KindPhone, "8 912 34 56 789"},
		{"phone nbsp", "тел. 8\u00a0912\u00a0345\u201167\u201189", pii.KindPhone, "8\u00a0912\u00a0345\u201167\u201189"},
		{"phone words", "записывайте восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь", pii.KindPhone,
			"восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь"},
		{"phone words digits", "плюс семь девять один шесть один два три четыре пять шесть семь", pii.KindPhone,
			"плюс семь девять один шесть один два три четыре пять шесть семь"},
		{"phone words commas", "восемь, девятьсот двенадцать, триста сорок пять, шестьдесят семь, восемьдесят девять", pii.KindPhone,
			"восемь, девятьсот двенадцать, триста сорок пять, шестьдесят семь, восемьдесят девять"},
		{"phone mixed", "восемь 912 345 67 89", pii.KindPhone, "восемь 912 345 67 89"},
		{"phone en +1", "call me at +1 212 555 0100", pii.KindPhone, "+1 212 555 0100"},
		{"phone en words", "it is eight nine one two three four five six seven eight nine", pii.KindPhone,
			"eight nine one two three four five six seven eight nine"},
		{"card spaced", "номер карты 4111 1111 1111 1111", pii.KindCard, "4111 1111 1111 1111"},
		{"card solid", "4111111111111111", pii.KindCard, "4111111111111111"},
		{"card mir", "карта мир 2200 7001 2345 6783", pii.KindCard, "2200 7001 2345 6783"},
		{"card 19", "6011 0009 9013 9424 000", pii.KindCard, ""}, // fails Luhn and no cue
		{"card misheard with cue", "карта 4111 1111 1111 1112", pii.KindCard, "4111 1111 1111 1112"},
		{"passport 2-2-6", "паспорт 45 08 123456", pii.KindPassport, "45 08 123456"},
		{"passport 4-6", "серия и номер паспорта 4508 123456", pii.KindPassport, "4508 123456"},
		{"passport split", "серия 4508, номер 123456", pii.KindPassport, "4508, номер 123456"},
		{"passport no cue", "вот 45 08 123456", pii.KindPassport, "45 08 123456"},
		{"passport en", "passport number 4508 123456", pii.KindPassport, "4508 123456"},
		{"snils grouped", "СНИЛС 112-233-445 95", pii.KindSNILS, "112-233-445 95"},
		{"snils solid cue", "снилс 11223344595", pii.KindSNILS, "11223344595"},
		{"snils bad checksum", "112-233-445 96", pii.KindSNILS, ""},
		{"inn 10 cue", "ИНН организации 7707083893", pii.KindINN, "7707083893"},
		{"inn 12", "мой ИНН 500100732259", pii.KindINN, "500100732259"},
		{"inn 12 no cue", "500100732259", pii.KindINN, "500100732259"},
		{"inn 12 bad", "ИНН 500100732258", pii.KindINN, ""},
		{"email", "почта ivan.petrov@mail.ru.", pii.KindEmail, "ivan.petrov@mail.ru"},
		{"email upper", "Ivan.Petrov@Yandex.RU", pii.KindEmail, "Ivan.Petrov@Yandex.RU"},
		{"email spoken ru", "ivan собака yandex точка ru", pii.KindEmail, "ivan собака yandex точка ru"},
		{"email spoken en", "it's john at gmail dot com", pii.KindEmail, "john at gmail dot com"},
		{"dob numeric", "дата рождения 15.03.1985", pii.KindBirthDate, "15.03.1985"},
		{"dob words", "родилась 3 мая 1990 года", pii.KindBirthDate, "3 мая 1990 года"},
		{"dob iso", "DOB: 1985-03-15", pii.KindBirthDate, "1985-03-15"},
		{"dob en", "date of birth is March 15, 1985", pii.KindBirthDate, "March 15, 1985"},
		{"dob ru words", "родился пятнадцатого марта тысяча девятьсот восемьдесят пятого года", pii.KindBirthDate,
			"пятнадцатого марта тысяча девятьсот восемьдесят пятого года"},
		{"dob ru words two-part day", "дата рождения двадцать третьего мая, а что?", pii.KindBirthDate, "двадцать третьего мая"},
		{"dob ru words year digits", "Родилась третье июня 1990 года", pii.KindBirthDate, "третье июня 1990 года"},
		{"dob en day first", "I was born on the 5th of June 1979", pii.KindBirthDate, "5th of June 1979"},
		{"cvv", "CVV 123", pii.KindCode, "123"},
		{"cvv back", "три цифры на обороте: 456", pii.KindCode, "456"},
		{"sms", "код из смс 4821", pii.KindCode, "4821"},
		{"sms spoken", "код из смс четыре восемь два один", pii.KindCode, "четыре восемь два один"},
		{"sms en", "the verification code is 739201", pii.KindCode, "739201"},

		{"price", "Стоимость 12 500 рублей", "", ""},
		{"big price", "итого 1 250 000 руб.", "", ""},
		{"order", "заказ № 1234567890", "", ""},
		{"order 9", "номер заказа 9123456789", "", ""},
		{"date", "доставка 15.03.2024 в 14:30", "", ""},
		{"date not birth", "встреча 15 марта 1985", "", ""},
		{"spoken date not birth", "созвонимся пятнадцатого марта", "", ""},
		{"quantity", "150 штук по 45 рублей", "", ""},
		{"contract", "договор 2024-15-0034", "", ""},
		{"tracking", "трек 80085412345678", "", ""},
		{"price thousands 10", "1 234 567 890 рублей", "", ""},
		{"percent", "скидка 15%", "", ""},
		{"once more", "ещё раз: восемь девять", "", ""},
		{"code without cue", "подождите 4821 секунду", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pii.Find(tt.text)
			if tt.want == "" {
				for _, f := range got {
					assert.NotEqual(t, tt.kind, f.Kind, "found %q", tt.text[f.Start:f.End])
					if tt.kind == "" {
						t.Errorf("unexpected %s %q", f.Kind, tt.text[f.Start:f.End])
					}
				}
				return
			}
			require.Len(t, got, 1, "%v", got)
			assert.Equal(t, tt.kind, got[0].Kind)
			assert.Equal(t, tt.want, tt.text[got[0].Start:got[0].End])
			assert.Greater(t, got[0].Confidence, 0.5)
			assert.LessOrEqual(t, got[0].Confidence, 1.0)
		})
	}
}

func TestFindSeveral(t *testing.T) {
	text := "Телефон 8 912 345 67 89, карта 4111 1111 1111 1111, CVV 123, почта a.b@c.ru"
	got := pii.Find(text)
	var kinds []pii.Kind
	for i, f := range got {
		kinds = append(kinds, f.Kind)
		if i > 0 {
			assert.GreaterOrEqual(t, f.Start, got[i-1].End, "sorted, not overlapping")
		}
	}
	assert.Equal(t, []pii.Kind{pii.KindPhone, pii.KindCard, pii.KindCode, pii.KindEmail}, kinds)
}

func TestRedact(t *testing.T) {
	tests := []struct {
		lang, text, want string
	}{
		{"ru", "Телефон +7 912 345-67-89, карта 4111 1111 1111 1111.", "Телефон [телефон], карта [карта]."},
		{"en", "My phone is +7 912 345-67-89, card 4111 1111 1111 1111.", "My phone is [phone], card [card]."},
		{"ru", "СНИЛС 112-233-445 95, ИНН 500100732259, паспорт 4508 123456", "СНИЛС [СНИЛС], ИНН [ИНН], паспорт [паспорт]"},
		{"ru", "дата рождения 15.03.1985, код из смс 4821, a@b.ru", "дата рождения [дата рождения], код из смс [код], [email]"},
		{"en", "date of birth 15.03.1985, code from sms 4821, a@b.ru", "date of birth [date of birth], code from sms [code], [email]"},
		{"ru", "Ничего личного, 12 500 рублей.", "Ничего личного, 12 500 рублей."},
	}
	for _, tt := range tests {
		got, reps := pii.Redact(tt.text, tt.lang)
		assert.Equal(t, tt.want, got)
		for _, r := range reps {
			assert.Equal(t, r.Placeholder, got[r.At:r.At+len(r.Placeholder)])
			assert.Equal(t, pii.Placeholder(r.Kind, tt.lang), r.Placeholder)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	assert.Equal(t, "[телефон]", pii.Placeholder(pii.KindPhone, ""))
	assert.Equal(t, "[телефон]", pii.Placeholder(pii.KindPhone, "ru"))
	assert.Equal(t, "[phone]", pii.Placeholder(pii.KindPhone, "EN"))
	assert.Equal(t, "[date of birth]", pii.Placeholder(pii.KindBirthDate, "en-GB"))
	seen := map[string]bool{}
	for _, k := range pii.Kinds {
		seen[pii.Placeholder(k, "ru")] = true
	}
	assert.Len(t, seen, len(pii.Kinds), "each kind has its own placeholder")
	assert.Equal(t, "[x]", pii.Placeholder("x", "ru"))
}

func TestRedactTranscript(t *testing.T) {
	in := transcribe.Transcript{Language: "ru", Segments: []transcribe.Segment{
		{Speaker: transcribe.RoleManager, Text: "Продиктуйте, пожалуйста, телефон."},
		{Speaker: transcribe.RoleClient, Text: "Да, +7 912 345-67-89, и почта ivan@mail.ru, спасибо."},
	}}
	r := pii.RedactTranscript(in)
	assert.Equal(t, "Да, [телефон], и почта [email], спасибо.", r.Transcript.Segments[1].Text)
	assert.Equal(t, "Да, +7 912 345-67-89, и почта ivan@mail.ru, спасибо.", in.Segments[1].Text, "input unchanged")
	assert.Equal(t, in.Segments[0].Text, r.Transcript.Segments[0].Text)
	assert.Equal(t, 2, r.Count())
	assert.Equal(t, map[pii.Kind]int{pii.KindPhone: 1, pii.KindEmail: 1}, r.Counts())

	seg, ok := r.Locate(0, "и почта [email]")
	assert.True(t, ok)
	assert.Equal(t, 1, seg, "found in another segment than the hint")
	_, ok = r.Locate(1, "ivan@mail.ru")
	assert.False(t, ok, "the original is not in the text the model saw")

	for _, tt := range []struct{ quote, want string }{
		{"Да, [телефон], и почта", "Да, +7 912 345-67-89, и почта"},
		{"[email], спасибо.", "ivan@mail.ru, спасибо."},
		{"лефон], и", "+7 912 345-67-89, и"}, // cut placeholder widens to the whole value
		{"почта [em", "почта ivan@mail.ru"},  // same at the end
		{"спасибо.", "спасибо."},             // after all placeholders
		{"Да, [телефон], и почта [email], спасибо.", in.Segments[1].Text},
	} {
		got, ok := r.Restore(1, tt.quote)
		require.True(t, ok, tt.quote)
		assert.Equal(t, tt.want, got, tt.quote)
	}
	for _, tt := range []struct{ quote, want string }{
		{"Да, +7 912 345-67-89, и почта", "Да, [телефон], и почта"},
		{"345-67-89, и почта iv", "[телефон], и почта [email]"}, // cut values are masked whole
		{"спасибо.", "спасибо."},
		{in.Segments[1].Text, r.Transcript.Segments[1].Text},
	} {
		got, ok := r.Mask(1, tt.quote)
		require.True(t, ok, tt.quote)
		assert.Equal(t, tt.want, got, tt.quote)
	}
	_, ok = r.Mask(0, "ivan@mail.ru")
	assert.False(t, ok)

	_, ok = r.Restore(0, "Да,")
	assert.False(t, ok)
	_, ok = r.Restore(5, "Да,")
	assert.False(t, ok)
}

func TestFindValue(t *testing.T) {
	tests := []struct{ text, want string }{
		{"+7 (912) 345-67-89", "79123456789"},
		{"восемь девятьсот шестнадцать сто двадцать три сорок пять шестьдесят семь", "89161234567"},
		{"серия 4508, номер 123456", "4508123456"},
		{"карта 4111-1111-1111-1111", "4111111111111111"},
		{"Ivan.Petrov@Mail.RU", "ivan.petrov@mail.ru"},
		{"ivan собака yandex точка ru", "ivan@yandex.ru"},
		{"john at gmail dot com", "john@gmail.com"},
		{"дата рождения 15 Марта 1985", "15 марта 1985"},
	}
	for _, tt := range tests {
		got := pii.Find(tt.text)
		require.Len(t, got, 1, tt.text)
		assert.Equal(t, tt.want, got[0].Value, tt.text)
	}
}

func TestZeroRedacted(t *testing.T) {
	var r pii.Redacted
	r.Transcript.Segments = []transcribe.Segment{{Text: "x"}}
	_, ok := r.Restore(0, "x")
	assert.False(t, ok, "no panic on a Redacted not made by RedactTranscript")
	_, ok = r.Mask(0, "x")
	assert.False(t, ok)
	assert.Zero(t, r.Count())
}
