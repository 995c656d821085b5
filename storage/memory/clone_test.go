package memory

import (
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/callaudit/callaudit/storage/storagetest"
)

// TestCloneSharesNothing walks a full call and its clone side by side and
// fails on any pointer, slice or map that both reach. Because it walks by
// reflection, a field added to Report later is checked without editing the
// test, as long as storagetest.FullCall fills it in.
func TestCloneSharesNothing(t *testing.T) {
	orig := storagetest.FullCall("c1", time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	cp := cloneCall(orig)
	storagetest.AssertCallEqual(t, orig, cp)

	// filled records, per field path, whether any instance is non-nil.
	filled := map[string]bool{}
	seenNil := func(path string) {
		if _, ok := filled[path]; !ok {
			filled[path] = false
		}
	}
	var walk func(path string, a, b reflect.Value)
	walk = func(path string, a, b reflect.Value) {
		switch a.Kind() {
		case reflect.Pointer:
			if a.IsNil() {
				seenNil(path)
				return
			}
			filled[path] = true
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
			walk(path, a.Elem(), b.Elem())
		case reflect.Slice:
			if a.IsNil() {
				seenNil(path)
				return
			}
			filled[path] = true
			if a.Len() > 0 {
				assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
			}
			for i := range a.Len() {
				walk(path+"[]", a.Index(i), b.Index(i))
			}
		case reflect.Map:
			if a.IsNil() {
				seenNil(path)
				return
			}
			filled[path] = true
			assert.NotEqual(t, a.Pointer(), b.Pointer(), "%s is shared", path)
		case reflect.Struct:
			if a.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range a.NumField() {
				walk(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
	}
	walk("Call", reflect.ValueOf(orig), reflect.ValueOf(cp))
	for path, ok := range filled {
		assert.True(t, ok, "storagetest.FullCall leaves %s nil everywhere, so its copy is not checked", path)
	}
	assert.NotEmpty(t, filled)
}
