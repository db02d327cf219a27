-- New tickets with five extra fields of the ticket forms for bench/run's
-- create_form: the subtype and certified mark every technical request has,
-- and an error's system entity, identifying data and steps (the built-in
-- forms). As bench/ticket.lua otherwise; the session comes as -H headers.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"subject":"Не работает подпись","description":"Ошибка 0x80090008 ' ..
           'при подписи документа.\\nОС: Windows 11","category":"technical",' ..
           '"type":"bug","severity":3,"fields":{"subtype":"licensing",' ..
           '"certified":true,"entity":"Навигатор: Администратор \\\\ ' ..
           'Справочники \\\\ Центры ответственности","identifying":' ..
           '"id 4512, 01.12.2026, ООО Ромашка","steps":"1. Открыть ' ..
           'документ\\n2. Нажать «Провести»"}}'
