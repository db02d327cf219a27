-- What the new-ticket form asks as a customer types, for bench/run's kb:
-- GET <url><query> with another query each request (one to three of the
-- generated articles' words, the last one cut as it is being typed, three
-- characters or more), so that the worker's cache of answers (1,024 a
-- worker) is missed almost always and the index is what is measured. The
-- words come from the file in KB_WORDS (build/gen-kb -W).
local words = {}
for line in io.lines(os.getenv("KB_WORDS")) do
    if line ~= "" then
        words[#words + 1] = line
    end
end

local function encode(s)
    return (s:gsub("[^%w%-%._~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

-- the characters of a UTF-8 word
local function chars(w)
    local t = {}
    for ch in w:gmatch("[%z\1-\127\194-\244][\128-\191]*") do
        t[#t + 1] = ch
    end
    return t
end

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
    local n = math.random(1, 3)
    local parts = {}
    for i = 1, n do
        parts[i] = words[math.random(#words)]
    end
    local c = chars(parts[n])
    local k = math.random(math.min(3, #c), #c)
    parts[n] = table.concat(c, "", 1, k)
    return wrk.format("GET", wrk.path .. encode(table.concat(parts, " ")))
end
