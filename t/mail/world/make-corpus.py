# The corpus of t/mail/world/: messages in the shapes real mailers send,
# written byte for byte (raw 8-bit headers, mislabelled charsets, stray
# bytes), with expect.json: what each must end as and the words it keeps.
# Run from anywhere: python3 make-corpus.py t/mail/world
import base64, quopri, json, os, sys
os.chdir(sys.argv[1])
E = {}
def w(name, data, action, words=(), reason=None, where='body', note=None):
    if isinstance(data, str):
        data = data.encode('utf-8')
    data = data.replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    open(name, 'wb').write(data)
    e = {'action': action}
    if words: e['words'] = list(words)
    if reason: e['reason'] = reason
    if where != 'body': e['where'] = where
    if note: e['shape'] = note
    E[name] = e

def b(s, cs): return s.encode(cs)
def u(s): return s.encode('utf-8')
def b64(bs): return base64.encodebytes(bs).decode()
def ew(s, cs='utf-8'): return b'=?' + cs.encode() + b'?B?' + base64.b64encode(s.encode(cs if cs != 'gb2312' else 'gbk')) + b'?='

def hdr(frm, subj, extra=b''):
    local = frm.split(b'@')[0].split(b'<')[-1].strip(b'"')
    return (b'From: ' + frm + b'\nTo: support@example.com\nSubject: ' + subj
            + b'\nDate: Mon, 07 Dec 2026 10:00:00 +0300\nMessage-ID: <' + local.replace(b' ', b'.') + b'.'
            + str(len(E)).encode() + b'@corpus.example>\n' + extra)

PLAIN8 = lambda cs: b'MIME-Version: 1.0\nContent-Type: text/plain; charset=' + cs + b'\nContent-Transfer-Encoding: 8bit\n'

w('thebat-raw-1251-subject.eml',
  hdr(b'"\xc8\xe2\xe0\xed \xcf\xe5\xf2\xf0\xee\xe2" <ivan.thebat@corpus.example>', b('Не работает электронная подпись', 'cp1251'),
      b'X-Mailer: The Bat! (v3.99.3) Professional\n' + PLAIN8(b'windows-1251'))
  + b'\n' + b('Здравствуйте!\nПри подписании документа выходит ошибка 0x80090008.\nКриптоПро CSP 4.0.\n', 'cp1251'),
  'created', ['Не работает электронная подпись', 'При подписании документа выходит ошибка'], where='both',
  note='The Bat! v3: Subject and sender name in raw Windows-1251 bytes, body 8bit')

w('gateway-raw-1251-no-charset.eml',
  hdr(b'buh@corpus.example', b('Счёт на продление лицензии', 'cp1251'),
      b'MIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n')
  + b'\n' + b('Просим выставить счёт на продление.\nБухгалтерия\n', 'cp1251'),
  'created', ['Счёт на продление лицензии', 'Просим выставить счёт'], where='both',
  note='8-bit Windows-1251 with no charset anywhere: detected')

w('pine-raw-koi8-subject.eml',
  hdr(b'admin@unix.corpus.example', b('Сервер не принимает сертификат', 'koi8_r'),
      b'User-Agent: Pine 4.64\nMIME-Version: 1.0\nContent-Type: TEXT/PLAIN; charset=KOI8-R\nContent-Transfer-Encoding: 8BIT\n')
  + b'\n' + b('Добрый день. После обновления сервер перестал принимать сертификат.\n', 'koi8_r'),
  'created', ['Сервер не принимает сертификат', 'перестал принимать сертификат'], where='both',
  note='Pine: raw KOI8-R subject; the body\'s charset tells')

w('eudora-raw-latin1.eml',
  hdr(b'hans@corpus.example', b('Grüße aus München: Lizenzfrage', 'latin-1'),
      b'X-Mailer: QUALCOMM Windows Eudora Version 7.1\nMIME-Version: 1.0\nContent-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: 8bit\n')
  + b'\n' + b('Schöne Grüße, die Lizenz läuft bald ab. Können Sie helfen?\n', 'latin-1'),
  'created', ['Grüße aus München', 'Schöne Grüße', 'läuft bald ab'], where='both',
  note='Eudora: raw Latin-1 subject')

w('raw-iso-8859-5-subject.eml',
  hdr(b'old@corpus.example', b('Вопрос по сроку действия', 'iso8859_5'), PLAIN8(b'iso-8859-5'))
  + b'\n' + b('Подскажите, когда истекает срок действия сертификата?\n', 'iso8859_5'),
  'created', ['Вопрос по сроку действия', 'когда истекает срок'], where='both',
  note='raw ISO-8859-5 subject')

w('raw-1251-subject-guessed.eml',
  hdr(b'guess@corpus.example', b('Не приходит письмо с паролем', 'cp1251'),
      b'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n')
  + b'\nThe body is ASCII.\n',
  'created', ['Не приходит письмо с паролем'], where='subject',
  note='raw Windows-1251 subject in a UTF-8 message: detected among the legacy charsets')

body = 'Добрый день!\nПосле установки обновления\x98 не запускается КриптоАРМ.\nСпасибо.'
w('utf8-one-stray-byte.eml',
  hdr(b'stray@corpus.example', ew('Не запускается КриптоАРМ'), PLAIN8(b'UTF-8'))
  + b'\n' + body.encode('utf-8').replace(b'\xc2\x98', b'\x98') + b'\n',
  'created', ['После установки обновления', 'не запускается КриптоАРМ', 'Спасибо'],
  note='UTF-8 with one invalid byte: one character lost, not the text')

w('cp1251-with-0x98.eml',
  hdr(b'x98@corpus.example', ew('Ошибка установки', 'windows-1251'),
      b'MIME-Version: 1.0\nContent-Type: text/plain; charset="windows-1251"\nContent-Transfer-Encoding: quoted-printable\n')
  + b'\n' + quopri.encodestring(b('Установка прерывается на 80% ', 'cp1251') + b'\x98' + b('\nЖурнал прилагаю.\n', 'cp1251')),
  'created', ['Установка прерывается на 80%', 'Журнал прилагаю'],
  note='Windows-1251 text with 0x98, a byte the charset does not define')

html = '<html><body><p>Здравствуйте!</p><p>Ключевой контейнер не найден\x98 на токене.</p><p>С уважением, Ольга</p></body></html>'
w('html-utf8-stray-byte.eml',
  hdr(b'olga.html@corpus.example', ew('Контейнер не найден'),
      b'MIME-Version: 1.0\nContent-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n')
  + b'\n' + b64(html.encode('utf-8').replace(b'\xc2\x98', b'\x98')).encode(),
  'created', ['Ключевой контейнер не найден', 'на токене', 'С уважением, Ольга'],
  note='HTML only, UTF-8 with one invalid byte: not read as Windows-1251')

zh = '您好，我们的证书在镕铁公司的服务器上无法验证。谢谢！'
w('foxmail-gb2312-gbk.eml',
  hdr(b'li.wei@corpus.example', ew('证书无法验证', 'gb2312'),
      b'X-Mailer: Foxmail 7.2\nMIME-Version: 1.0\nContent-Type: text/plain; charset="gb2312"\nContent-Transfer-Encoding: base64\n')
  + b'\n' + b64(zh.encode('gbk')).encode(),
  'created', ['证书无法验证', '镕铁公司', '无法验证'], where='both',
  note='Foxmail: labelled gb2312, holds a GBK character (镕): read as GB18030')

sub = '证书过期'.encode('gbk')
subj = b' '.join(b'=?GB2312?B?' + base64.b64encode(p) + b'?=' for p in [sub[:3], sub[3:5], sub[5:]])
w('gb2312-word-split.eml',
  hdr(b'zhang@corpus.example', subj, b'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n')
  + b'\nCertificate expired yesterday.\n',
  'created', ['证书过期'], where='subject', note='a GB2312 character split between encoded-words')

w('inline-text-with-filename.eml',
  hdr(b'inline@corpus.example', ew('Журнал ошибок во вложении'),
      b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="XX"\n')
  + b'\n--XX\nContent-Type: text/plain; charset=utf-8; name="message.txt"\nContent-Disposition: inline; filename="message.txt"\nContent-Transfer-Encoding: base64\n\n'
  + b64(u('Служба не стартует после перезагрузки сервера.\nПодробности ниже.')).encode()
  + b'--XX\nContent-Type: application/octet-stream; name="cpro.log"\nContent-Disposition: attachment; filename="cpro.log"\n\nlog line 1\n--XX--\n',
  'created', ['Служба не стартует после перезагрузки', 'Подробности ниже'],
  note='an inline text/plain part with a file name is the body')

w('no-blank-line-after-headers.eml',
  b'From: noblank@corpus.example\nTo: support@example.com\nSubject: Short note\nMessage-ID: <noblank.1@corpus.example>\nPlease call me back about contract 12345.\nThanks\n',
  'created', ['Please call me back about contract 12345', 'Thanks'],
  note='a body line right after the headers (no blank line)')

w('quoted-local-part.eml',
  b'From: "Big Bug bb"@bug.com\nTo: support@example.com\nSubject: Quoted local part\nMessage-ID: <quoted.1@bug.com>\nMIME-Version: 1.0\nContent-Type: text/plain\n\nMy address has a quoted local part; it is valid.\n',
  'created', ['quoted local part; it is valid'], note='From: "Big Bug bb"@bug.com (RFC 5321 quoted-string)')

def ooo(name, frm, subject, extra, body, note):
    w(name, hdr(frm, subject, PLAIN8(b'utf-8') + extra) + b'\n' + u(body), 'ignored', reason='auto_reply', note=note)

ooo('ooo-x-autoreply.eml', b'away1@corpus.example', b'Re: your request', b'X-Autoreply: yes\n',
    'I am away until Monday.', 'X-Autoreply: yes only (no Auto-Submitted)')
ooo('ooo-outlook-en.eml', b'away2@corpus.example', b'Automatic reply: Licence renewal',
    b'X-Auto-Response-Suppress: All\nX-MS-Exchange-Inbox-Rules-Loop: away2@corpus.example\n',
    'I am out of the office.', 'Exchange: "Automatic reply:" with X-Auto-Response-Suppress')
ooo('ooo-outlook-ru.eml', b'away3@corpus.example', ew('Автоматический ответ: Продление лицензии'),
    b'X-Auto-Response-Suppress: All\n', 'Я в отпуске до 15 декабря.', 'Exchange, Russian: "Автоматический ответ:"')
ooo('ooo-yandex-ru.eml', b'away4@corpus.example', ew('Автоответ: Re: Обращение'), b'',
    'Спасибо за письмо, отвечу позже.', 'a subject "Автоответ:" alone')
ooo('ooo-german.eml', b'away5@corpus.example', b'Abwesenheitsnotiz: Lizenz', b'',
    'Ich bin bis 10.01. abwesend.', 'Lotus Notes, German: "Abwesenheitsnotiz"')
ooo('ooo-precedence-auto-reply.eml', b'away6@corpus.example', b'Vacation', b'Precedence: auto_reply\n',
    'On vacation.', 'Precedence: auto_reply')
ooo('ooo-x-autorespond.eml', b'away7@corpus.example', b'Thank you for your message', b'X-Autorespond: Thank you\n',
    'We got your message.', 'X-Autorespond (cPanel autoresponders)')
ooo('ooo-out-of-office.eml', b'away8@corpus.example', b'Out of Office: meeting', b'',
    'Out of office until Friday.', 'a subject "Out of Office:" (older Outlook)')

w('mislabelled-utf8-as-1251.eml',
  hdr(b'form@corpus.example', ew('Заявка с сайта'), PLAIN8(b'windows-1251'))
  + b'\n' + u('Имя: Сергей\nВопрос: как продлить сертификат?\n'),
  'created', ['Имя: Сергей', 'как продлить сертификат'], note='labelled Windows-1251, the bytes are UTF-8')

w('mislabelled-1251-as-utf8.eml',
  hdr(b'crm@corpus.example', ew('Письмо из CRM'), PLAIN8(b'utf-8'))
  + b'\n' + b('Клиент просит перезвонить по поводу договора.\n', 'cp1251'),
  'created', ['Клиент просит перезвонить по поводу договора'], note='labelled UTF-8, the bytes are Windows-1251')

h = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body><div>Не удаётся войти в личный кабинет.</div><div>Директор, ООО «Ромашка»</div></body></html>'
w('html-meta-charset-only.eml',
  hdr(b'dir@corpus.example', ew('Вход в кабинет', 'koi8-r'),
      b'MIME-Version: 1.0\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n')
  + b'\n' + quopri.encodestring(b(h, 'cp1251')),
  'created', ['Не удаётся войти в личный кабинет', 'ООО «Ромашка»'], note='HTML whose charset is only in its meta tag')

w('raw-1251-filename.eml',
  hdr(b'files@corpus.example', b'Scan attached', b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="ZZ"\n')
  + b'\n--ZZ\nContent-Type: text/plain; charset=windows-1251\nContent-Transfer-Encoding: 8bit\n\n' + b('Скан договора во вложении.\n', 'cp1251')
  + b'--ZZ\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="' + b('Договор №5.pdf', 'cp1251')
  + b'"\nContent-Transfer-Encoding: base64\n\n' + b64(b'%PDF-1.4 fake').encode() + b'--ZZ--\n',
  'created', ['Скан договора во вложении'], note='a raw Windows-1251 file name')

s_k = b('Просьба продлить поддержку', 'koi8_r')
w('koi8-word-split.eml',
  hdr(b'oe@corpus.example', b'=?koi8-r?B?' + base64.b64encode(s_k[:7]) + b'?=\n =?koi8-r?B?' + base64.b64encode(s_k[7:]) + b'?=',
      b'X-Mailer: Microsoft Outlook Express 6.00.2900.5512\n' + PLAIN8(b'"koi8-r"'))
  + b'\n' + b('Просим продлить поддержку до конца года.\n', 'koi8_r'),
  'created', ['Просьба продлить поддержку', 'продлить поддержку до конца года'], where='both',
  note='Outlook Express: a KOI8-R subject folded over two encoded-words')

w('no-from.eml',
  b'To: support@example.com\nSubject: Who am I\nMessage-ID: <nofrom.1@corpus.example>\n\nA message without a sender.\n',
  'quarantined', reason='no_sender', note='no From header: held, nobody to tell')

w('from-no-address.eml',
  b'From: Undisclosed sender\nTo: support@example.com\nSubject: Anonymous\nMessage-ID: <noaddr.1@corpus.example>\n\nHello.\n',
  'quarantined', reason='no_sender', note='a From with a name and no address')

w('latin1-label-cp1252-quotes.eml',
  hdr(b'smart@corpus.example', b'=?iso-8859-1?Q?Renewal_=93urgent=94?=',
      b'MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n')
  + b'\n' + quopri.encodestring('It\u2019s \u201curgent\u201d \u2013 please renew.\n'.encode('cp1252')),
  'created', ['Renewal “urgent”', 'It’s “urgent” – please renew'], where='both',
  note='labelled ISO-8859-1, written with Windows-1252 quotes')

w('alternative-unknown-charset.eml',
  hdr(b'alt@corpus.example', b'=?x-unknown?Q?Token_trouble?=', b'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="AA"\n')
  + b'\n--AA\nContent-Type: text/plain; charset="x-mac-nonsense"\nContent-Transfer-Encoding: 8bit\n\n' + b('Проблема с токеном Рутокен.\n', 'cp1251')
  + b'--AA\nContent-Type: text/html; charset=utf-8\n\n' + u('<p>Проблема с токеном Рутокен.</p>\n') + b'--AA--\n',
  'created', ['Token trouble', 'Проблема с токеном Рутокен'], where='both',
  note='charsets nobody knows: the bytes read as undeclared text')

w('reply-1251-qp.eml',
  hdr(b'Ivan <ivan.thebat@corpus.example>', b'Re: [#{{TICKET}}] =?windows-1251?Q?=CD=E5_=F0=E0=E1=EE=F2=E0=E5=F2?=',
      b'MIME-Version: 1.0\nContent-Type: text/plain; charset=windows-1251; format=flowed\nContent-Transfer-Encoding: quoted-printable\n')
  + b'\n' + quopri.encodestring(b('Переустановил, ошибка осталась.\n\n> старое письмо\n', 'cp1251')),
  'replied', ['Переустановил, ошибка осталась'], note='a reply with [#N] (the first ticket here), Windows-1251 quoted-printable')

w('applemail-emoji.eml',
  hdr(b'mac@corpus.example', ew('Ключ 🔑 не подходит'),
      b'X-Mailer: Apple Mail (2.3774)\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n')
  + b'\n' + quopri.encodestring(u('Ключ 🔑 не подходит к контейнеру, йод и ё.\n')),
  'created', ['Ключ 🔑 не подходит', 'к контейнеру, йод и ё'], where='both', note='Apple Mail: an emoji in subject and text')

w('empty-subject.eml',
  hdr(b'nosubject@corpus.example', b'', PLAIN8(b'utf-8')) + b'\n' + u('Помогите, пожалуйста.\n'),
  'rejected', reason='empty_subject', note='no subject: refused, the sender told why (Keysystems §3)')

w('binary-garbage.eml', bytes(range(256)) * 4,
  'quarantined', reason='message_invalid', note='not a message at all: held, nothing lost')

json.dump(E, open('expect.json', 'w'), ensure_ascii=False, indent=1, sort_keys=True)
print(len(E))
