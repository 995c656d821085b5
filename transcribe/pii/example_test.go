package pii_test

import (
	"fmt"

	"github.com/callaudit/callaudit/transcribe"
	"github.com/callaudit/callaudit/transcribe/pii"
)

func ExampleRedact() {
	text, reps := pii.Redact("Запишите: +7 (912) 345-67-89, карта 4111 1111 1111 1111, заказ № 1234567890 на 12 500 рублей.", "ru")
	fmt.Println(text)
	for _, r := range reps {
		fmt.Println(r.Kind, r.Value)
	}
	// Output:
	// Запишите: [телефон], карта [карта], заказ № 1234567890 на 12 500 рублей.
	// phone 79123456789
	// card 4111111111111111
}

func ExampleRedactTranscript() {
	t := transcribe.ParseDialog("Менеджер: Продиктуйте почту. Клиент: ivan собака mail точка ru, телефон восемь девятьсот двенадцать триста сорок пять шестьдесят семь восемьдесят девять.")
	r := pii.RedactTranscript(t)
	fmt.Println(r.Transcript.Segments[1].Text)

	// A model quotes the masked text; the quote is checked against it
	// and can be shown unmasked to someone allowed to see it.
	quote := "[email], телефон"
	seg, ok := r.Locate(-1, quote)
	fmt.Println(seg, ok)
	orig, _ := r.Restore(seg, quote)
	fmt.Println(orig)
	// Output:
	// [email], телефон [телефон].
	// 1 true
	// ivan собака mail точка ru, телефон
}
