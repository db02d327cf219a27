-- New tickets for bench/run: POST /api/v1/tickets as JSON; the session
-- cookie and the CSRF token come as wrk -H headers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Не работает подпись","description":"Ошибка 0x80090008 ' ..
           'при подписи документа.\\nОС: Windows 11","category":"technical",' ..
           '"type":"bug","severity":3}'
