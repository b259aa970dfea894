/*
 * cluster_lua.c: the scripts (cluster_lua.h).  Ids are compared as
 * strings, length first: they have no leading zeros, and their parts go
 * past what a Lua number holds exactly.
 */
#include "cluster_lua.h"

/* Redis's clock in ms, as a string; a line every script can share. */
#define LUA_NOW \
	"local t = redis.call('TIME')\n" \
	"local ms = t[1] * 1000 + math.floor(t[2] / 1000)\n" \
	"local now = string.format('%.0f', ms - 1) .. '-18446744073709551615'\n"

static const char lua_publish[] =
	"local id = redis.call('XADD', KEYS[1], '*', 'd', ARGV[1])\n"
	"local keep = tonumber(ARGV[2])\n"
	"local n = redis.call('XLEN', KEYS[1])\n"
	"if n >= keep + tonumber(ARGV[3]) then\n"
	"  local old = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT',"
	" n - keep)\n"
	"  redis.call('XTRIM', KEYS[1], 'MAXLEN', keep)\n"
	"  redis.call('XSETID', KEYS[1], id, 'MAXDELETEDID', old[#old][1])\n"
	"end\n"
	"return {id, redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])}\n";

static const char lua_bcast[] =
	LUA_NOW
	"return redis.call('PUBLISH', KEYS[1], now .. ' ' .. ARGV[1])\n";

static const char lua_resume[] =
	"local function parts(id)\n"
	"  return string.match(id, '^(%d+)-(%d+)$')\n"
	"end\n"
	"local function before(x, y)\n"
	"  local xa, xb = parts(x)\n"
	"  local ya, yb = parts(y)\n"
	"  if #xa ~= #ya then return #xa < #ya end\n"
	"  if xa ~= ya then return xa < ya end\n"
	"  if #xb ~= #yb then return #xb < #yb end\n"
	"  return xb < yb\n"
	"end\n"
	LUA_NOW
	"local key, mode, from = KEYS[1], ARGV[1], ARGV[2]\n"
	"local keep, budget = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
	"local last, del = now, '0-0'\n"
	"if redis.call('EXISTS', key) == 1 then\n"
	"  local info = redis.call('XINFO', 'STREAM', key)\n"
	"  for i = 1, #info - 1, 2 do\n"
	"    if info[i] == 'last-generated-id' then last = info[i + 1] end\n"
	"    if info[i] == 'max-deleted-entry-id' then del = info[i + 1] end\n"
	"  end\n"
	"end\n"
	"local gap, start = 0, '-'\n"
	"if mode == 't' then\n"
	"  start = from .. '-0'\n"
	"else\n"
	"  local epoch = redis.call('GET', KEYS[2])\n"
	"  local fms = parts(from)\n"
	"  if epoch and #fms <= 15 and tonumber(fms) + 1 < tonumber(epoch) then\n"
	"    gap = 2\n"
	"  elseif before(last, from) then\n"
	"    gap = 3\n"
	"  else\n"
	"    start = '(' .. from\n"
	"    if before(from, del) then gap = 1 end\n"
	"  end\n"
	"end\n"
	"local e, hi, bytes, more = {}, '+', 0, false\n"
	"while not more do\n"
	"  local page = redis.call('XREVRANGE', key, hi, start, 'COUNT', 64)\n"
	"  for i = 1, #page do\n"
	"    local m = page[i][2][2] or ''\n"
	"    if #e >= keep or bytes + #m > budget then more = true break end\n"
	"    e[#e + 1] = page[i]\n"
	"    bytes = bytes + #m\n"
	"  end\n"
	"  if #page < 64 then break end\n"
	"  hi = '(' .. page[#page][1]\n"
	"end\n"
	"if more and mode == 'x' and gap == 0 then gap = 1 end\n"
	"local r = {last, gap}\n"
	"for i = #e, 1, -1 do\n"
	"  r[#r + 1] = e[i][1]\n"
	"  r[#r + 1] = e[i][2][2] or ''\n"
	"end\n"
	"return r\n";

static const char lua_epoch[] =
	"local t = redis.call('TIME')\n"
	"local ms = t[1] * 1000 + math.floor(t[2] / 1000)\n"
	"return redis.call('SET', KEYS[1], string.format('%.0f', ms), 'NX')\n";

const char *const cluster_lua[LUA_COUNT] = {
	[LUA_PUBLISH] = lua_publish,
	[LUA_BCAST] = lua_bcast,
	[LUA_RESUME] = lua_resume,
	[LUA_EPOCH] = lua_epoch,
};
