-- bench.lua — the Lua workload of bench/real/ (issue 9: an interpreter running
-- a recursive, call-heavy script).  Compiled into the lua benchmark by
-- bench/real/build.sh.  Deterministic output: integers and fixed-format
-- floats only, no pairs() order, no clock, no random seed from the system.
-- No error(), no coroutines: the bench build of Lua has no longjmp
-- (bench/real/lua/nolongjmp.h), so an error ends the run.

-- 1. Plain recursion: calls and returns dominate.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

-- 2. Ackermann-style deep recursion (small arguments, many frames).
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end

-- 3. Binary trees: allocation, GC and recursive walks.
local function bottom_up(d)
  if d == 0 then return {} end
  d = d - 1
  return { bottom_up(d), bottom_up(d) }
end
local function check(t)
  if t[1] then return 1 + check(t[1]) + check(t[2]) end
  return 1
end

-- 4. Objects with metatables: method calls and field access.
local Vec = {}
Vec.__index = Vec
function Vec.new(x, y) return setmetatable({ x = x, y = y }, Vec) end
function Vec:add(o) return Vec.new(self.x + o.x, self.y + o.y) end
function Vec:scale(k) return Vec.new(self.x * k, self.y * k) end
function Vec:dot(o) return self.x * o.x + self.y * o.y end

-- 5. A sieve over an array part, and table.sort with a Lua comparator.
local function sieve(n)
  local comp, count = {}, 0
  for i = 2, n do
    if not comp[i] then
      count = count + 1
      for j = i * i, n, i do comp[j] = true end
    end
  end
  return count
end

-- 6. Strings: formatting, concatenation through a buffer, byte sums.
local function strings(n)
  local parts = {}
  for i = 1, n do parts[#parts + 1] = string.format("%d:%x;", i, i * 7919) end
  local s = table.concat(parts)
  local sum = 0
  for i = 1, #s, 7 do sum = (sum * 31 + s:byte(i)) % 1000000007 end
  return #s, sum
end

local out = {}
local function say(fmt, ...) out[#out + 1] = string.format(fmt, ...) end

say("fib(30) = %d", fib(30))
say("ack(2, 2000) = %d, ack(3, 7) = %d", ack(2, 2000), ack(3, 7))

local total = 0
for _ = 1, 8 do total = total + check(bottom_up(15)) end
say("binary trees: %d nodes", total)

local acc = Vec.new(0, 0)
for i = 1, 400000 do
  local v = Vec.new(i % 17, i % 23):scale(0.5)
  acc = acc:add(v)
  if i % 100000 == 0 then say("vec %d: %.3f %.3f %.3f", i, acc.x, acc.y, acc:dot(v)) end
end

say("primes below 2000000: %d", sieve(2000000))

local keys, x = {}, 12345
for i = 1, 100000 do
  x = (x * 1103515245 + 12345) % 2147483648
  keys[i] = x
end
table.sort(keys, function(a, b) return a % 1000 < b % 1000 or (a % 1000 == b % 1000 and a < b) end)
local h = 0
for i = 1, #keys, 97 do h = (h * 131 + keys[i]) % 4294967296 end
say("sorted 100000 keys: hash %d", h)

say("strings: %d bytes, sum %d", strings(200000))

print(table.concat(out, "\n"))
