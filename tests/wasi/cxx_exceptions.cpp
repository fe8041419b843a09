/*
 * cxx_exceptions.cpp — a real C++ program built with -fwasm-exceptions
 * (issue 10, "Tests: Real programs"; the exception-handling proposal's
 * legacy form: try, catch, catch_all, throw, rethrow, delegate), by
 * Debian's emscripten (`em++ -fwasm-exceptions -sSTANDALONE_WASM`, the
 * Makefile): a WASI command that imports only wasi_snapshot_preview1.
 *
 * Exceptions thrown across many frames: from a recursion 200 deep whose
 * every frame holds an object with a destructor, through constructors
 * that fail half-way, through calls by function pointer and virtual calls
 * (call_indirect), caught by base-class reference, by catch (...) and
 * rethrown with `throw;`, thrown and caught again inside a handler,
 * carried by std::exception_ptr and std::nested_exception.  Every step
 * prints one line of a transcript that tests/run.sh compares with node's
 * (tests/node_wasi.mjs); the program also checks its own bookkeeping
 * (every object constructed is destroyed exactly once, no exception is
 * left in flight) and exits 1 with a "BROKEN" line if it does not hold.
 */
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

/* ---- bookkeeping: objects whose destructors must run ------------------- */
static int live;                /* constructed and not yet destroyed */
static int constructed, destroyed;
static int unwinding_dtors;     /* destructors run while an exception flew */
static int broken;

struct Tracker {
	int id;
	explicit Tracker(int i) : id(i) { live++; constructed++; }
	Tracker(const Tracker &o) : id(o.id) { live++; constructed++; }
	~Tracker()
	{
		live--;
		destroyed++;
		if (std::uncaught_exceptions() > 0)
			unwinding_dtors++;
	}
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		std::printf("BROKEN %s\n", what);
		broken++;
	}
}

static void counts(const char *step)
{
	std::printf("  %s: live %d, constructed %d, destroyed %d, during unwinding %d\n",
		    step, live, constructed, destroyed, unwinding_dtors);
}

/* Keeps the optimiser from folding the control flow away.  (noinline below
 * is clang's; binaryen's wasm-opt, which em++ -O2 runs after it, may still
 * inline small callers such as apply(): the frames that matter, the
 * recursion and the calls through pointers, stay.) */
static volatile int opaque_zero;

/* ---- the exception types ------------------------------------------------ */
struct DepthError : std::runtime_error {
	int depth;
	DepthError(int d, const std::string &msg) : std::runtime_error(msg), depth(d) {}
};

struct ParseError : std::invalid_argument {
	int column;
	ParseError(int c, const char *msg) : std::invalid_argument(msg), column(c) {}
};

/* An exception type outside std::exception's tree, counted like Tracker:
 * the exception object itself must be destroyed once, after its handler. */
struct Payload {
	Tracker t;
	int value;
	explicit Payload(int v) : t(1000 + v), value(v) {}
};

/* ---- 1. a recursion that throws from depth N ---------------------------- */
__attribute__((noinline)) static int descend(int depth, int throw_at)
{
	Tracker frame(depth);
	if (depth == throw_at)
		throw DepthError(depth, "thrown at depth " + std::to_string(depth));
	/* not a tail call: the frame's destructor runs after the call */
	return descend(depth + 1, throw_at) + frame.id + opaque_zero;
}

static void test_recursion(void)
{
	std::printf("recursion:\n");
	for (int n : { 1, 7, 200 }) {
		try {
			int r = descend(1, n);
			std::printf("  BROKEN: returned %d\n", r);
			broken++;
		} catch (const std::exception &e) {     /* by base reference */
			const DepthError *d = dynamic_cast<const DepthError *>(&e);
			std::printf("  depth %d: caught std::exception '%s', dynamic type %s, depth field %d\n",
				    n, e.what(), typeid(e).name(), d ? d->depth : -1);
			check(d && d->depth == n, "dynamic_cast to DepthError");
		}
		counts("after");
		check(live == 0, "every frame's Tracker destroyed");
	}
}

/* ---- 2. a hierarchy caught by base references --------------------------- */
__attribute__((noinline)) static void throw_kind(int kind)
{
	Tracker guard(kind);
	std::vector<int> v(3, kind);
	switch (kind) {
	case 0: throw ParseError(17, "unexpected ')'");
	case 1: (void)v.at(3 + opaque_zero); break;  /* libc++ throws out_of_range */
	case 2: throw std::logic_error("logic");
	case 3: throw std::runtime_error("runtime");
	case 4: throw 42;
	case 5: throw "a C string";
	case 6: throw Payload(6);
	case 7: throw std::bad_cast();
	}
	std::printf("  kind %d: nothing thrown\n", kind);
}

static void test_hierarchy(void)
{
	std::printf("hierarchy:\n");
	for (int kind = 0; kind <= 8; kind++) {
		try {
			throw_kind(kind);
		} catch (const ParseError &e) {
			std::printf("  kind %d: ParseError '%s' at column %d\n", kind, e.what(), e.column);
		} catch (const std::logic_error &e) {
			std::printf("  kind %d: std::logic_error& '%s' (%s)\n", kind, e.what(),
				    typeid(e).name());
		} catch (const std::exception &e) {
			std::printf("  kind %d: std::exception& '%s' (%s)\n", kind, e.what(),
				    typeid(e).name());
		} catch (int i) {
			std::printf("  kind %d: int %d\n", kind, i);
		} catch (const char *s) {
			std::printf("  kind %d: const char* '%s'\n", kind, s);
		} catch (const Payload &p) {
			std::printf("  kind %d: Payload %d (its Tracker live: %d)\n", kind, p.value, live);
		}
	}
	counts("after");
	check(live == 0, "hierarchy: guards and payloads destroyed");
}

/* ---- 3. catch (...) and `throw;` ------------------------------------------ */
static int rethrows;

__attribute__((noinline)) static void pass_through(int level, int value)
{
	Tracker t(level);
	try {
		if (level == 0)
			throw Payload(value);
		pass_through(level - 1, value);
	} catch (...) {
		rethrows++;
		std::printf("  level %d: catch (...), rethrowing\n", level);
		throw;          /* the same exception object, not a copy */
	}
}

static void test_rethrow(void)
{
	std::printf("rethrow:\n");
	int before = constructed;
	try {
		pass_through(4, 99);
	} catch (Payload &p) {
		std::printf("  outer: Payload %d after %d rethrows, %d objects constructed\n",
			    p.value, rethrows, constructed - before);
	}
	counts("after");
	/* 5 frames' Trackers, one Payload's: a copy of the exception object
	 * on `throw;` would construct more */
	check(constructed - before == 6, "throw; rethrows without copying");
	check(live == 0, "rethrow: all destroyed");
}

/* ---- 4. try inside a catch ------------------------------------------------ */
__attribute__((noinline)) static void fail_again(const char *why)
{
	Tracker t(500);
	throw std::runtime_error(why);
}

static void test_nested(void)
{
	std::printf("nested:\n");
	try {
		try {
			throw ParseError(3, "outer");
		} catch (const std::exception &outer) {
			std::printf("  handling '%s'\n", outer.what());
			try {
				fail_again("inner");
			} catch (const std::exception &inner) {
				std::printf("  inner handler: '%s' (outer still '%s')\n",
					    inner.what(), outer.what());
				try {
					throw 7;
				} catch (int i) {
					std::printf("  innermost handler: int %d\n", i);
				}
			}
			std::printf("  back in outer handler, rethrowing '%s'\n", outer.what());
			throw;  /* the outer exception, not the inner ones */
		}
	} catch (const ParseError &e) {
		std::printf("  caught again: ParseError '%s' column %d\n", e.what(), e.column);
	}
	counts("after");
	check(live == 0, "nested: all destroyed");
}

/* ---- 5. through function pointers and virtual calls (call_indirect) ----- */
__attribute__((noinline)) static int op_double(int x) { Tracker t(x); return 2 * x; }
__attribute__((noinline)) static int op_square(int x) { Tracker t(x); return x * x; }
__attribute__((noinline)) static int op_fail(int x)
{
	Tracker t(x);
	throw std::overflow_error("op_fail(" + std::to_string(x) + ")");
}

static int (*const ops[])(int) = { op_double, op_square, op_fail };

__attribute__((noinline)) static int apply(int which, int x)
{
	Tracker t(which);
	int (*volatile f)(int) = ops[which];    /* a call_indirect, inlined or not */
	return f(x) + 1;
}

struct Shape {
	virtual ~Shape() {}
	virtual int area() const = 0;
};
struct Square : Shape {
	int side;
	explicit Square(int s) : side(s) {}
	int area() const override { return side * side; }
};
struct Broken : Shape {
	Tracker t{ 600 };
	int area() const override { throw std::domain_error("Broken::area"); }
};

__attribute__((noinline)) static int total_area(Shape *const *shapes, int n)
{
	int sum = 0;
	for (int i = 0; i < n; i++)
		sum += shapes[i]->area();
	return sum;
}

static void test_indirect(void)
{
	std::printf("indirect:\n");
	for (int which = 0; which < 3; which++) {
		try {
			std::printf("  ops[%d](9) = %d\n", which, apply(which, 9));
		} catch (const std::exception &e) {
			std::printf("  ops[%d](9) threw %s '%s'\n", which, typeid(e).name(), e.what());
		}
	}
	Square a(3), b(4);
	Broken c;
	Shape *shapes[] = { &a, &b, &c };
	try {
		std::printf("  area of two = %d\n", total_area(shapes, 2));
		std::printf("  area of three = %d\n", total_area(shapes, 3));
	} catch (const std::logic_error &e) {   /* domain_error is a logic_error */
		std::printf("  virtual call threw '%s'\n", e.what());
	}
	counts("after");
	check(live == 1, "indirect: only Broken's Tracker is alive");
}

/* ---- 6. constructors that fail half-way --------------------------------- */
struct Thrower {
	explicit Thrower(int n)
	{
		if (n > 2)
			throw std::length_error("Thrower(" + std::to_string(n) + ")");
	}
};

struct Composite {
	Tracker a, b;
	Thrower c;
	Tracker d;      /* never constructed when c throws */
	explicit Composite(int n) : a(1), b(2), c(n), d(4) {}
};

static void test_constructors(void)
{
	std::printf("constructors:\n");
	for (int n = 2; n <= 3; n++) {
		int before = constructed;
		try {
			Composite x(n);
			std::printf("  Composite(%d) built, %d members constructed\n", n,
				    constructed - before);
		} catch (const std::exception &e) {
			std::printf("  Composite(%d) threw '%s' after %d members constructed\n", n,
				    e.what(), constructed - before);
		}
		counts("after");
	}
	/* a new-expression that throws frees its memory and destroys no
	 * more than it built; the vector's destructor, run by the unwinding,
	 * deletes the Composite built before */
	try {
		std::vector<std::unique_ptr<Composite>> v;
		v.emplace_back(new Composite(1));
		std::printf("  new Composite(1): live %d\n", live);
		v.emplace_back(new Composite(5));
		std::printf("  BROKEN: new Composite(5) returned\n");
		broken++;
	} catch (const std::length_error &e) {
		std::printf("  new Composite threw '%s'\n", e.what());
	}
	counts("after new");
	check(live == 0, "constructors: partial objects destroyed");
}

/* ---- 7. exception_ptr and nested exceptions ------------------------------ */
__attribute__((noinline)) static void load_config(int line)
{
	try {
		throw ParseError(line, "bad key");
	} catch (...) {
		std::throw_with_nested(std::runtime_error("load_config failed"));
	}
}

static void print_nested(const std::exception &e, int level)
{
	std::printf("  %*s%s\n", 2 * level, "", e.what());
	try {
		std::rethrow_if_nested(e);
	} catch (const std::exception &inner) {
		print_nested(inner, level + 1);
	}
}

static void test_exception_ptr(void)
{
	std::printf("exception_ptr:\n");
	std::exception_ptr saved;
	try {
		throw Payload(31);
	} catch (...) {
		saved = std::current_exception();
	}
	std::printf("  saved: %s, uncaught now %d\n", saved ? "yes" : "no",
		    std::uncaught_exceptions());
	for (int i = 0; i < 2; i++) {
		try {
			std::rethrow_exception(saved);
		} catch (const Payload &p) {
			std::printf("  rethrow_exception #%d: Payload %d\n", i + 1, p.value);
		}
	}
	saved = nullptr;        /* the last reference: the Payload goes */
	try {
		load_config(12);
	} catch (const std::exception &e) {
		print_nested(e, 0);
	}
	counts("after");
}

/* ---- 8. many throws: nothing leaks ---------------------------------------- */
__attribute__((noinline)) static int maybe_throw(int i)
{
	Tracker t(i);
	if (i % 3 == 0)
		throw i;
	if (i % 3 == 1)
		throw std::runtime_error(std::to_string(i));
	return i;
}

static void test_many(void)
{
	std::printf("many:\n");
	long sum = 0;
	int caught = 0;
	for (int i = 0; i < 3000; i++) {
		try {
			sum += maybe_throw(i);
		} catch (int v) {
			sum += 2 * v;
			caught++;
		} catch (const std::runtime_error &e) {
			sum += 3 * (long)std::strlen(e.what());
			caught++;
		}
	}
	std::printf("  3000 calls, %d caught, sum %ld\n", caught, sum);
	counts("after");
}

int main(void)
{
	test_recursion();
	test_hierarchy();
	test_rethrow();
	test_nested();
	test_indirect();
	test_constructors();
	test_exception_ptr();
	test_many();
	std::printf("uncaught at the end: %d\n", std::uncaught_exceptions());
	check(std::uncaught_exceptions() == 0, "no exception in flight");
	check(constructed - destroyed == live, "constructed - destroyed == live");
	std::printf("%s\n", broken ? "BROKEN" : "done");
	return broken ? 1 : 0;
}
