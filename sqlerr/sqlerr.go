// Package sqlerr holds the one error type every user-facing failure is
// reported as: a PostgreSQL SQLSTATE, a message naming the object, and
// (where there is one) a 1-based character position in the statement.
package sqlerr

import (
	"errors"
	"fmt"
	"strings"
)

// SQLSTATE codes used across lakeq. Names follow PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion            = "00000"
	FeatureNotSupported             = "0A000"
	CardinalityViolation            = "21000"
	DataException                   = "22000"
	StringDataRightTrunc            = "22001"
	NumericValueOutOfRange          = "22003"
	NullValueNotAllowed             = "22004"
	InvalidDatetimeFormat           = "22007"
	DatetimeFieldOverflow           = "22008"
	InvalidParameterValue           = "22023"
	DivisionByZero                  = "22012"
	InvalidEscapeSequence           = "22025"
	InvalidRegex                    = "2201B"
	InvalidRowCount                 = "2201W"
	InvalidOffsetCount              = "2201X"
	InvalidTextRepr                 = "22P02"
	BadCopyFileFormat               = "22P04"
	CharacterNotInRepertoire        = "22021"
	InvalidPrecedingOrFollowingSize = "22013"
	InvalidArgument                 = "22023"
	SubstringError                  = "22011"
	NotNullViolation                = "23502"
	UniqueViolation                 = "23505"
	InvalidCatalogName              = "3D000"
	InvalidSchemaName               = "3F000"
	SyntaxError                     = "42601"
	InsufficientPrivilege           = "42501"
	UndefinedColumn                 = "42703"
	UndefinedFunction               = "42883"
	UndefinedTable                  = "42P01"
	UndefinedObject                 = "42704"
	UndefinedParameter              = "42P02"
	UndefinedSchema                 = "3F000"
	AmbiguousColumn                 = "42702"
	AmbiguousFunction               = "42725"
	DatatypeMismatch                = "42804"
	CannotCoerce                    = "42846"
	GroupingError                   = "42803"
	WindowingError                  = "42P20"
	InvalidRecursion                = "42P19"
	DuplicateTable                  = "42P07"
	InvalidTableDefinition          = "42P16"
	ReservedName                    = "42939"
	ActiveSQLTransaction            = "25001"
	SequenceGeneratorLimit          = "2200H"
	GeneratedAlways                 = "428C9"
	ObjectNotInPrerequisiteState    = "55000"
	DuplicateColumn                 = "42701"
	DuplicateSchema                 = "42P06"
	DuplicateObject                 = "42710"
	DuplicateAlias                  = "42712"
	InvalidColumnReference          = "42P10"
	WrongObjectType                 = "42809"
	DependentObjects                = "2BP01"
	SerializationFailure            = "40001"
	QueryCanceled                   = "57014"
	DiskFull                        = "53100"
	OutOfMemory                     = "53200"
	ProgramLimitExceeded            = "54000"
	ArraySubscriptError             = "2202E"
	IOError                         = "58030"
	UndefinedFile                   = "58P01"
	Internal                        = "XX000"
	DataCorrupted                   = "XX001"
	InvalidAuthorization            = "28000"
)

// Error is a user-facing error with a SQLSTATE.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int // 1-based character position in the statement text; 0 = none
	// Stack is the goroutine stack of an internal panic (XX000): written
	// to the server log, never sent to a client.
	Stack string
	cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap exposes the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the given SQLSTATE and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a SQLSTATE and message to an underlying cause. A cause
// that is already a lack of resources (class 53: disk full, out of
// memory) or a cancel keeps its SQLSTATE under the added context: it is
// what a client acts on (free space and retry, not report corruption).
func Wrap(cause error, code, format string, args ...any) *Error {
	var ce *Error
	if errors.As(cause, &ce) && (strings.HasPrefix(ce.Code, "53") || ce.Code == QueryCanceled) {
		code = ce.Code
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...) + ": " + cause.Error(), cause: cause}
}

// At returns a copy of e with a position set (kept if already set).
func (e *Error) At(pos int) *Error {
	if e.Position != 0 || pos <= 0 {
		return e
	}
	c := *e
	c.Position = pos
	return &c
}

// Panic is the XX000 error for a recovered panic r in the named part of
// the engine (an operator, a statement), keeping the stack for the log.
func Panic(where string, r any, stack []byte) *Error {
	msg := fmt.Sprint(r)
	if where != "" {
		return &Error{Code: Internal, Message: fmt.Sprintf("internal error in %s: %s", where, msg), Stack: string(stack)}
	}
	return &Error{Code: Internal, Message: "internal error: " + msg, Stack: string(stack)}
}

// WithDetail returns a copy with a detail line.
func (e *Error) WithDetail(d string) *Error {
	c := *e
	c.Detail = d
	return &c
}

// WithHint returns a copy with a hint.
func (e *Error) WithHint(h string) *Error {
	c := *e
	c.Hint = h
	return &c
}

// Code reports the SQLSTATE of err: its own if it is (or wraps) an *Error,
// XX000 otherwise.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// From converts any error into an *Error, keeping an existing one.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: err.Error(), cause: err}
}
