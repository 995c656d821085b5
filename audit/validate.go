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
		// Report fields by their JSON (or form) names, which is what
		// callers of the HTTP API see.
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
	})
	return validate
}

// Validate checks v's `validate` struct tags with go-playground/validator
// and returns a KindInvalid *callaudit.Error whose fields are named by their
// JSON names, each with a message a person can act on. It returns nil when
// v is valid. Servers use it for their own request types too.
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
		fields = append(fields, callaudit.FieldError{Field: fieldPath(fe), Message: describe(fe)})
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

func describe(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "required_without", "required_without_all":
		return "is required (or give " + strings.ReplaceAll(strings.ToLower(fe.Param()), " ", " or ") + ")"
	case "max":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at most %s characters", fe.Param())
		}
		return "must be at most " + fe.Param()
	case "min":
		if fe.Kind() == reflect.String {
			return fmt.Sprintf("must be at least %s characters", fe.Param())
		}
		return "must be at least " + fe.Param()
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "url", "http_url":
		return "must be an absolute http(s) URL"
	case "bcp47_language_tag":
		return "must be a language code such as ru or en"
	case "printascii":
		return "must contain printable ASCII characters only"
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	}
	return "is invalid (" + fe.Tag() + ")"
}
