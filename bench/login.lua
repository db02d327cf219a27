-- Logins for bench/run: each connection logs in one of the bench accounts,
-- then waits a second (20 connections offer up to 20 logins a second).
counter = 0

request = function()
  counter = counter + 1
  local body = string.format('{"login":"bench%d","password":"bench password 1"}', counter % 20)
  return wrk.format("POST", "/api/v1/session", { ["Content-Type"] = "application/json" }, body)
end

delay = function()
  return 1000
end
