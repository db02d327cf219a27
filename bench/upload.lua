-- Uploads for bench/soak: a reply with a 64 KB file to one ticket
-- (the path, the session cookie and the CSRF token come from the command
-- line); each file differs, so that each is stored.
counter = 0
local boundary = "----soakboundary7MA4YWxkTrZu0gW"
local filler = string.rep("0123456789abcdef", 4096)

request = function()
  counter = counter + 1
  local body = "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="body"\r\n\r\n' ..
    "Журнал ошибок, попытка " .. counter .. "\r\n" ..
    "--" .. boundary .. "\r\n" ..
    'Content-Disposition: form-data; name="attachments"; filename="trace-' .. counter .. '.log"\r\n' ..
    "Content-Type: text/plain\r\n\r\n" ..
    counter .. " " .. os.time() .. " " .. filler .. "\r\n" ..
    "--" .. boundary .. "--\r\n"
  -- the given headers replace wrk's (-H): the session's are copied in
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
  return wrk.format("POST", nil, headers, body)
end

delay = function()
  return 100
end
