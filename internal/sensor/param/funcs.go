package param

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"text/template"

	sprig "github.com/Masterminds/sprig/v3"
)

// The functions a template sees are Argo's: text/template's builtins and
// sprig.FuncMap(), with three exceptions that fail with ErrTemplateFunc:
// env and expandenv (Argo runs one pod per Sensor, so they read only that
// pod's environment; in Herald the process is shared and its environment is
// not the Sensor's to read) and getHostByName (a DNS lookup with no time
// limit). Functions that can build large values are wrapped: see guards.

// disabled lists the sprig functions Herald replaces with an error.
var disabled = []string{"env", "expandenv", "getHostByName"}

// printers are text/template builtins that format arbitrary values; they are
// overridden (a user function takes precedence over a builtin) so that they
// can be guarded like sprig's.
var printers = template.FuncMap{
	"print":    fmt.Sprint,
	"printf":   fmt.Sprintf,
	"println":  fmt.Sprintln,
	"html":     template.HTMLEscaper,
	"js":       template.JSEscaper,
	"urlquery": template.URLQueryEscaper,
}

// guard checks the arguments of a call before it runs; nil means only the
// result is checked.
type guard func(args []reflect.Value) error

// guards names the functions that can take much time or build values much
// larger than their arguments, with a check of their arguments. After any
// guarded call the result must stay under maxTemplateValue, and the call
// counts as a step.
var guards = map[string]guard{
	// Output grows with an integer argument.
	"repeat":       func(a []reflect.Value) error { return atMost(a[0].Int(), int64(a[1].Len())) },
	"indent":       guardIndent,
	"nindent":      guardIndent,
	"until":        func(a []reflect.Value) error { return atMost(countStep(0, a[0].Int(), sign(a[0].Int())), 8) },
	"untilStep":    func(a []reflect.Value) error { return atMost(countStep(a[0].Int(), a[1].Int(), a[2].Int()), 8) },
	"seq":          guardSeq,
	"randAlphaNum": guardCount,
	"randAlpha":    guardCount,
	"randAscii":    guardCount,
	"randNumeric":  guardCount,
	"randBytes":    guardCount,
	"wrapWith":     guardWrapWith,
	"replace":      guardReplace,
	"printf":       guardPrintf,

	"regexReplaceAll":            guardRegexReplace,
	"mustRegexReplaceAll":        guardRegexReplace,
	"regexReplaceAllLiteral":     guardRegexReplace,
	"mustRegexReplaceAllLiteral": guardRegexReplace,

	// They print or copy whole structures: a list holding the same large
	// string many times is small in memory but huge once printed.
	"toJson": guardArgs, "toPrettyJson": guardArgs, "toRawJson": guardArgs,
	"mustToJson": guardArgs, "mustToPrettyJson": guardArgs, "mustToRawJson": guardArgs,
	"toString": guardArgs, "toStrings": guardArgs, "quote": guardArgs, "squote": guardArgs,
	"cat": guardArgs, "join": guardJoin, "sortAlpha": guardArgs, "dict": guardArgs,
	"deepCopy": guardArgs, "mustDeepCopy": guardArgs,
	"merge": guardArgs, "mustMerge": guardArgs, "mergeOverwrite": guardArgs, "mustMergeOverwrite": guardArgs,
	"print": guardArgs, "println": guardArgs, "html": guardArgs, "js": guardArgs, "urlquery": guardArgs,
	"uniq": guardQuadratic, "mustUniq": guardQuadratic,

	// They build structures from their arguments: only the result is checked.
	"list": nil, "tuple": nil, "append": nil, "push": nil, "mustAppend": nil, "mustPush": nil,
	"prepend": nil, "mustPrepend": nil, "concat": nil, "set": nil, "chunk": nil, "mustChunk": nil,
	"splitList": nil, "split": nil, "splitn": nil, "regexSplit": nil, "mustRegexSplit": nil,
	"regexFindAll": nil, "mustRegexFindAll": nil, "fromJson": nil, "mustFromJson": nil,

	// Slow: key generation, password hashing.
	"genPrivateKey": nil, "buildCustomCert": nil, "genCA": nil, "genCAWithKey": nil,
	"genSelfSignedCert": nil, "genSelfSignedCertWithKey": nil, "genSignedCert": nil,
	"genSignedCertWithKey": nil, "bcrypt": nil, "htpasswd": nil, "derivePassword": nil,
	"encryptAES": nil, "decryptAES": nil,
}

// baseFuncs is the map templates are parsed with. Parsing only needs the
// names; the guarded entries are replaced per runner by boundFuncs.
var baseFuncs = func() template.FuncMap {
	m := sprig.FuncMap()
	for name, fn := range printers {
		m[name] = fn
	}
	for _, name := range disabled {
		m[name] = unavailable(name)
	}
	for _, name := range []string{stepFunc, enterFunc, leaveFunc} {
		m[name] = func() string { return "" }
	}
	return m
}()

func unavailable(name string) func(string) (string, error) {
	return func(string) (string, error) {
		return "", fmt.Errorf("%w: %s", ErrTemplateFunc, name)
	}
}

// boundFuncs returns the guarded functions and the step counter, all bound
// to one runner's budget.
func boundFuncs(b *budget) template.FuncMap {
	m := template.FuncMap{stepFunc: b.tick, enterFunc: b.enter, leaveFunc: b.leave}
	for name, pre := range guards {
		fn, ok := baseFuncs[name]
		if !ok {
			continue // a sprig version without it
		}
		m[name] = wrapFunc(fn, pre, b)
	}
	return m
}

// wrapFunc returns fn with the same signature, checking the budget and pre
// before the call and the size of the result after it. A failed check
// returns the error when fn can return one and panics otherwise;
// text/template turns a panicking function call into an execution error.
func wrapFunc(fn any, pre guard, b *budget) any {
	v := reflect.ValueOf(fn)
	t := v.Type()
	fail := func(err error) []reflect.Value {
		if t.NumOut() == 2 {
			return []reflect.Value{reflect.Zero(t.Out(0)), reflect.ValueOf(&err).Elem()}
		}
		panic(err)
	}
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		if err := b.step(); err != nil {
			return fail(err)
		}
		if pre != nil {
			if err := pre(args); err != nil {
				return fail(err)
			}
		}
		var out []reflect.Value
		if t.IsVariadic() {
			out = v.CallSlice(args)
		} else {
			out = v.Call(args)
		}
		if len(out) > 0 && out[0].IsValid() && sizeOf(out[0], maxTemplateValue) > maxTemplateValue {
			return fail(fmt.Errorf("%w: a function built a value over %d bytes", ErrTemplateLimit, maxTemplateValue))
		}
		if err := b.clock(); err != nil {
			return fail(err)
		}
		return out
	}).Interface()
}

func tooBig(what string) error {
	return fmt.Errorf("%w: %s would exceed %d bytes", ErrTemplateLimit, what, maxTemplateValue)
}

// atMost fails when n items of size each would pass the value limit.
func atMost(n, size int64) error {
	if size < 1 {
		size = 1
	}
	if n > 0 && n > maxTemplateValue/size {
		return tooBig("the result")
	}
	return nil
}

func sign(n int64) int64 {
	if n < 0 {
		return -1
	}
	return 1
}

// countStep is about how many values sprig's untilStep(start, stop, step)
// yields (computed in float64, so no overflow; capped at 1<<62).
func countStep(start, stop, step int64) int64 {
	var n float64
	switch {
	case step > 0 && stop > start:
		n = (float64(stop) - float64(start)) / float64(step)
	case step < 0 && stop < start:
		n = (float64(start) - float64(stop)) / -float64(step)
	}
	if n >= 1<<62 {
		return 1 << 62
	}
	return int64(n) + 1
}

func guardCount(a []reflect.Value) error { return atMost(a[0].Int(), 2) }

func guardIndent(a []reflect.Value) error {
	lines := int64(strings.Count(a[1].String(), "\n") + 1)
	return atMost(a[0].Int(), lines)
}

func guardSeq(a []reflect.Value) error {
	// The variadic arguments arrive as one []int.
	p := a[0]
	var n int64
	switch p.Len() {
	case 1:
		n = p.Index(0).Int()
		if n < 0 {
			n = -n
		}
	case 2:
		n = countStep(p.Index(0).Int(), p.Index(1).Int(), sign(p.Index(1).Int()-p.Index(0).Int()))
	case 3:
		n = countStep(p.Index(0).Int(), p.Index(2).Int(), p.Index(1).Int())
	}
	return atMost(n, 21)
}

func guardWrapWith(a []reflect.Value) error {
	width := a[0].Int()
	if width < 1 {
		width = 1
	}
	breaks := int64(a[2].Len())/width + 1
	return atMost(breaks, int64(a[1].Len())+1)
}

func guardReplace(a []reflect.Value) error {
	old, repl, src := a[0].String(), a[1].String(), a[2].String()
	if len(repl) <= len(old) {
		return nil
	}
	return atMost(int64(strings.Count(src, old)), int64(len(repl)))
}

func guardRegexReplace(a []reflect.Value) error {
	re, err := regexp.Compile(a[0].String())
	if err != nil {
		return nil // the function itself reports the bad expression
	}
	s, repl := a[1].String(), a[2].String()
	per := int64(len(repl)) + int64(strings.Count(repl, "$"))*int64(len(s))
	return atMost(int64(len(re.FindAllStringIndex(s, -1))), per)
}

func guardArgs(a []reflect.Value) error {
	total := 0
	for _, v := range a {
		total += sizeOf(v, maxTemplateValue-total)
		if total > maxTemplateValue {
			return tooBig("the arguments")
		}
	}
	return nil
}

func guardJoin(a []reflect.Value) error {
	if err := guardArgs(a); err != nil {
		return err
	}
	if l := a[1]; l.Kind() == reflect.Interface && !l.IsNil() {
		if e := l.Elem(); e.Kind() == reflect.Slice || e.Kind() == reflect.Array {
			return atMost(int64(e.Len()), int64(a[0].Len())+1)
		}
	}
	return nil
}

// maxQuadratic bounds the list length of sprig functions that compare every
// pair of elements.
const maxQuadratic = 4096

func guardQuadratic(a []reflect.Value) error {
	if l := a[0]; l.Kind() == reflect.Interface && !l.IsNil() {
		if e := l.Elem(); (e.Kind() == reflect.Slice || e.Kind() == reflect.Array) && e.Len() > maxQuadratic {
			return fmt.Errorf("%w: list of %d elements (at most %d)", ErrTemplateLimit, e.Len(), maxQuadratic)
		}
	}
	return nil
}

// guardPrintf bounds fmt.Sprintf: the arguments, and the padding a format
// can ask for (fmt caps each width and precision at one million).
func guardPrintf(a []reflect.Value) error {
	format := a[0].String()
	est := int64(len(format))
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		var num int64
		for i++; i < len(format); i++ {
			c := format[i]
			switch {
			case c >= '0' && c <= '9':
				num = min(num*10+int64(c-'0'), 1_000_000)
				continue
			case c == '*':
				num = 1_000_000
				continue
			case c == '.' || c == '+' || c == '-' || c == '#' || c == ' ' || c == '[' || c == ']':
				est += num
				num = 0
				continue
			}
			break
		}
		est += num
		if est > maxTemplateValue {
			return tooBig("the formatted text")
		}
	}
	rest := a[1:]
	return guardArgs(rest)
}
