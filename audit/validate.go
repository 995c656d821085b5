package audit

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"

	"github.com/callaudit/callaudit"
)

var (
	validateOnce sync.Once
	validate     *validator.Validate
)

func structValidator() *validator.Validate {
	validateOnce.Do(func() {
		validate = validator.New(validator.WithRequiredStructEnabled())
		// Report fields by their JSON (or form) names when they have
		// them, their Go names otherwise.
		validate.RegisterTagNameFunc(func(f reflect.StructField) string {
			for _, tag := range []string{"json", "form"} {
				name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
				if name == "-" {
					return ""
				}
				if name != "" {
					return name
				}
			}
			return f.Name
		})
		// The id rule (ValidID); it cannot fail to register.
		_ = validate.RegisterValidation("id", func(fl validator.FieldLevel) bool { return ValidID(fl.Field().String()) })
	})
	return validate
}

// Validate checks v's `validate` struct tags with go-playground/validator
// and returns a KindInvalid *callaudit.Error whose fields are named by their
// JSON (or form) names, or by their Go names for fields without one (as in
// Input), each with a message a person can act on and its callaudit.Code.
// It returns nil when v is valid. Servers use it for their own request
// types too; Check is what validates an Input.
func Validate(v any) error {
	err := structValidator().Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return callaudit.Wrap(err, callaudit.KindInternal, "audit.Validate", "cannot validate input")
	}
	fields := make([]callaudit.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		msg, code, params := describe(fe)
		fields = append(fields, callaudit.FieldError{Field: fieldPath(fe), Message: msg, Code: code, Params: params})
	}
	return callaudit.Invalid(fields...)
}

// fieldPath drops the top-level struct name from the namespace
// ("Input.dialog_text" → "dialog_text").
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

// describe says what is wrong, in English and as a callaudit.Code.
func describe(fe validator.FieldError) (string, callaudit.Code, map[string]string) {
	p := fe.Param()
	chars := fe.Kind() == reflect.String
	switch fe.Tag() {
	case "required":
		return "is required", callaudit.CodeRequired, nil
	case "max", "lte":
		if chars && fe.Tag() == "max" {
			return fmt.Sprintf("must be at most %s characters", p), callaudit.CodeTooLong, map[string]string{"max": p}
		}
		return "must be at most " + p, callaudit.CodeTooBig, map[string]string{"max": p}
	case "min", "gte":
		if chars && fe.Tag() == "min" {
			return fmt.Sprintf("must be at least %s characters", p), callaudit.CodeTooShort, map[string]string{"min": p}
		}
		return "must be at least " + p, callaudit.CodeTooSmall, map[string]string{"min": p}
	case "oneof":
		values := strings.ReplaceAll(p, " ", ", ")
		return "must be one of: " + values, callaudit.CodeOneOf, map[string]string{"values": values}
	case "url", "http_url":
		return "must be an absolute http(s) URL", callaudit.CodeHTTPURL, nil
	case "required_without", "required_without_all":
		others := strings.ReplaceAll(strings.ToLower(p), " ", " or ")
		return "is required (or give " + others + ")", callaudit.CodeRequiredWithout, map[string]string{"others": others}
	case "bcp47_language_tag":
		return "must be a language code such as ru or en", callaudit.CodeLanguageTag, nil
	case "id":
		return "must contain printable characters only, without control or bidirectional characters or spaces at either end", callaudit.CodeIDChars, nil
	case "printascii":
		return "must contain printable ASCII characters only", callaudit.CodePrintableASCII, nil
	}
	return "is invalid (" + fe.Tag() + ")", callaudit.CodeInvalidValue, map[string]string{"rule": fe.Tag()}
}
