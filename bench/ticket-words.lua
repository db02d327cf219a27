-- New tickets for bench/run's search_1m: POST /api/v1/tickets as JSON, each
-- of other words (a support service's common ones and a long tail of rare
-- ones, as bench/gen-tickets -m writes them), so that the index is written
-- where real tickets would write it, not to the same few keys each time.
-- The session cookie and the CSRF token come as wrk -H headers.
-- the common words: bench/words.txt, next to this script
local common = {}
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
for line in io.lines(here .. "words.txt") do
    if line ~= "" and line:sub(1, 1) ~= "#" then
        common[#common + 1] = line
    end
end
local syllables = {
    "ка", "ро", "ми", "те", "ла", "ну", "за", "пи", "до", "ре", "ст", "ве",
    "ко", "ни", "ма", "ли", "со", "ту", "бе", "ди"
}
local vocabulary = 200000

local function word(rank)
    if rank < #common then
        return common[rank + 1]
    end
    if rank % 13 == 0 then
        return string.format("0x%08x", 0x80090000 + rank)
    end
    local w = {}
    while rank > 0 do
        w[#w + 1] = syllables[rank % 20 + 1]
        rank = math.floor(rank / 20)
    end
    return table.concat(w)
end

local function text(n)
    local words = {}
    for i = 1, n do
        -- a rank log-uniform over the vocabulary: Zipf's law
        words[i] = word(math.floor(math.exp(math.random() * math.log(vocabulary))) - 1)
    end
    return table.concat(words, " ")
end

local bodies = {}
local next_body = 1

function init(args)
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
    for i = 1, 2000 do
        bodies[i] = '{"subject":"' .. text(math.random(3, 6)) .. '","description":"' ..
                    text(math.random(15, 60)) .. '","category":"technical",' ..
                    '"type":"bug","severity":3}'
    end
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

function request()
    local body = bodies[next_body]
    next_body = next_body % #bodies + 1
    return wrk.format(nil, nil, nil, body)
end
