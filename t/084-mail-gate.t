# Mail that comes in through the mail gate (SPEC §7.2, §9): the MTA pipes
# each message to `helpdesk mailgate URL` (as Postfix's pipe(8) would), which
# posts it to the portal with the key. What a user sees: a new ticket from an
# e-mail, a reply on the ticket the subject or the threading names, staff
# answers going back by e-mail, auto-replies that explain a refusal, and
# nothing added where the sender may not write. A real relay (aiosmtpd)
# takes what the portal sends back.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;
use Helpdesk::Mailin;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
my $dir = $t->dir;
my $relay = Helpdesk::Smtp->start(dir => "$dir/relay");
my $key = '0123456789abcdef0123456789abcdef';
Helpdesk::Test::write_file("$dir/gate.key", "$key\n");
chmod 0600, "$dir/gate.key";

my $port = $relay->port;
$t->{http} = qq{helpdesk_smtp 127.0.0.1:$port from=support\@example.com timeout=5s retry=1s;\n}
           . qq{    helpdesk_mailgate_key file=$dir/gate.key;\n}
           . qq{    helpdesk_upload_limits file=2m message=3m count=5;\n}
           . qq{    helpdesk_mail_authserv_id mx.support.example;\n}
           . qq{    helpdesk_url http://127.0.0.1:} . $t->port . q{/;};
$t->{server} = "location = /metrics {\n            helpdesk_metrics;\n        }";
$t->start;

my $gate = Helpdesk::Mailin->new(dir => $dir, url => $t->url('/api/v1/mailgate'),
                                 key => $key, key_file => "$dir/gate.key");
*message = \&Helpdesk::Mailin::message;
*corpus = \&Helpdesk::Mailin::corpus;

my $admin = $t->staff('boss', 'administrator');
my $agent = $t->staff('agent', 'agent');
my $maria = $t->user('maria', email => 'maria@example.org', name => 'Мария Иванова');
my $petr = $t->user('petr', email => 'petr@romashka.example', name => 'Пётр Сидоров');

# the mail the relay got for an address whose subject matches
sub got {
    my ($to, $subject, %o) = @_;
    return $relay->wait_for(to => $to, subject => $subject, %o);
}

# the last thing a person said on a ticket (not an event, not a note)
sub last_said {
    my ($res) = @_;
    return (grep { $_->{kind} ne 'event' && $_->{kind} ne 'note' } @{ $res->{json}{messages} })[-1];
}

sub log_of {
    my $res = $admin->api('GET', 'admin/mail?per_page=200');
    return @{ $res->{json}{log} // [] };
}

# --- the gate's door --------------------------------------------------------

my $plain = message(from => 'Мария Иванова <maria@example.org>', subject => 'Не работает подпись',
                    body => "При подписании ошибка 0x80090008.\n\nМария");

my $res = $gate->post($plain, key => undef);
is($res->{status}, 401, 'no key: 401');
is($res->{json}{error}{code}, 'mailgate_key', '... saying the key is missing or wrong');
$res = $gate->post($plain, key => 'x' x 32);
is($res->{status}, 401, 'a wrong key: 401');
$res = $gate->post($plain, type => 'application/json');
is($res->{status}, 415, 'not a message: 415');
is($res->{json}{error}{code}, 'mailgate_type', '... naming what the gate takes');
$res = $gate->post('');
is($res->{status}, 400, 'an empty body: 400');
is(scalar(log_of()), 0, 'none of these came in');
like($t->error_log, qr/helpdesk mail gate: (?:no|a wrong) key from 127\.0\.0\.1 \(\d+ wrong or missing keys in the last minute\)/,
     'a wrong key is logged with the address (once a minute, counted: t/087)');

Helpdesk::Test::write_file("$dir/wrong.key", ('y' x 32) . "\n");
my $r = $gate->pipe($plain, '--key-file', "$dir/wrong.key");
# (the command's last --key-file wins: the wrong one)
is($r->{rc}, 75, 'the pipe with a wrong key exits 75: the MTA keeps the message');
like($r->{err}, qr/HTTP 401/, '... and says why');
$r = Helpdesk::Mailin->new(dir => $dir, url => 'http://127.0.0.1:1/api/v1/mailgate',
                           key_file => "$dir/gate.key")->pipe($plain);
is($r->{rc}, 75, 'a portal that is down: 75');
like($r->{err}, qr/^4\.4\.1 /, '... with an enhanced status code Postfix shows');
$r = $gate->pipe($plain, 'bogus-argument');
is($r->{rc}, 75, 'a mistake in the pipe command: 75 (the mail waits for the fix)');
like($r->{err}, qr/unknown argument "bogus-argument"/, '... naming it');

my ($rc, $out) = $t->cli('mailgate', '--help');
is($rc, 0, 'helpdesk mailgate --help');
like($out, qr/exits 0 when the portal took it, 75 to try again later, 65 when it never will/, '... says the exit codes');

# --- a new ticket by e-mail ---------------------------------------------------

$r = $gate->pipe($plain);
is($r->{rc}, 0, 'a new request: the pipe exits 0') or diag explain $r;
is($r->{action}, 'created', '... a ticket is created');
my $n1 = $r->{ticket};
ok($n1, "... number $n1");

$res = $maria->api('GET', "tickets/$n1");
is($res->{status}, 200, 'the sender sees it on the portal');
is($res->{json}{subject}, 'Не работает подпись', '... with the subject decoded');
is($res->{json}{channel}, 'email', '... channel email');
like($res->{json}{messages}[0]{body}, qr/^При подписании ошибка 0x80090008\.\n\nМария$/,
     '... and the whole text as its description');
is($res->{json}{messages}[0]{channel}, 'email', '... the message came by e-mail');

my ($conf) = got('maria@example.org', qr/^\[#$n1\]/);
ok($conf, 'the sender gets the confirmation with [#N] in the subject');
my ($plain_id) = $plain =~ /Message-ID: <([^>]+)>/;
is($conf->{'in-reply-to'}, "<$plain_id>", '... answering their own message (one thread in their client)');
like($conf->{text}, qr/просто ответить на это письмо/, '... which says a reply by e-mail works');

$r = $gate->pipe($plain);
is($r->{action}, 'duplicate', 'the same message again (an MTA retry) is a duplicate');
is($r->{ticket}, $n1, '... of the same ticket');
sleep 1.5;
my @confs = got('maria@example.org', qr/^\[#$n1\] Обращение зарегистрировано/, count => 2, timeout => 1);
is(scalar @confs, 1, '... and no second confirmation');

# staff see the message as it came, customers do not
$res = $admin->api('GET', "staff/tickets/$n1");
my ($orig) = grep { $_->{kind} eq 'note' && grep { $_->{name} eq 'original.eml' } @{ $_->{attachments} } }
             @{ $res->{json}{messages} };
ok($orig, 'staff see original.eml in a note');
my ($file) = grep { $_->{name} eq 'original.eml' } @{ $orig->{attachments} // [] };
$res = $admin->get($file->{url});
is($res->{status}, 200, '... they can download it');
is(length $res->{content}, length $plain, '... the message byte for byte');
$res = $maria->api('GET', "tickets/$n1");
ok(!(grep { $_->{kind} eq 'note' } @{ $res->{json}{messages} }), 'the customer does not see the note');
$res = $maria->get($file->{url});
is($res->{status}, 404, '... nor its file');

# --- replies ------------------------------------------------------------------

my $tb = corpus('thunderbird-flowed-koi8r.eml', TICKET => $n1, OURID => 'unknown@example.com');
$tb =~ s/maria\@example\.org/maria\@example.org/;
$r = $gate->pipe($tb);
is($r->{action}, 'replied', 'a Thunderbird reply (KOI8-R, flowed) with [#N] is a reply');
is($r->{ticket}, $n1, '... on that ticket');
$res = $maria->api('GET', "tickets/$n1");
my $reply = last_said($res);
like($reply->{body}, qr/CSP 5\.0\.12000, Windows 10 22H2\. Ошибка появляется при подписании любого документа/,
     '... the flowed lines joined, KOI8-R decoded');
unlike($reply->{body}, qr/^>/m, '... without the quoted history');
unlike($reply->{body}, qr/\+7 999/, '... nor the signature');
is($reply->{side}, 'customer', '... as the customer');

# a reply by threading alone: the confirmation's Message-ID
$r = $gate->pipe(message(from => 'maria@example.org', subject => 'Re: ваше письмо',
                         in_reply_to => substr($conf->{'message-id'}, 1, -1),
                         body => "Ещё скриншот прикладываю.\n\n> старое",
                         files => [['скриншот ошибки.png', 'image/png', "\x89PNG\r\n\x1a\n" . ('x' x 500)]]));
is($r->{action}, 'replied', 'a reply naming our Message-ID only (no [#N]) is a reply');
is($r->{ticket}, $n1, '... on the ticket that mail was about');
$res = $maria->api('GET', "tickets/$n1");
$reply = last_said($res);
is($reply->{body}, 'Ещё скриншот прикладываю.', '... its new words only');
is($reply->{attachments}[0]{name}, 'скриншот ошибки.png', '... its attachment, the name decoded');
is($reply->{attachments}[0]{size}, 508, '... whole');

# Outlook: HTML only, Windows-1251, from a registered customer on their ticket
my $n2 = $t->ticket($petr, subject => 'Ошибка в личном кабинете');
$r = $gate->pipe(corpus('outlook-html-1251.eml', TICKET => $n2, OURID => 'x@y'));
is($r->{action}, 'replied', 'an Outlook reply (HTML only, Windows-1251) is a reply');
$res = $petr->api('GET', "tickets/$n2");
$reply = last_said($res);
unlike($reply->{body}, qr/<|&nbsp;|mso-/, '... as text: no tags, entities or styles');
like($reply->{body}, qr/[А-Яа-я]{4}/, '... in Cyrillic');

# --- staff answer by e-mail; the customer gets it in full -------------------------

# the agent answers the mail the portal sent them about the ticket: its
# Message-ID carries their signed token back (t/087 tries forgeries)
$res = $admin->api('PATCH', "staff/tickets/$n1", { owner => $agent->{id} });
is($res->{status}, 200, "ticket $n1 is assigned to the agent");
my ($assigned) = got('agent@support.example', qr/^\[#$n1\]/);
ok($assigned, '... who is told by e-mail');
$r = $gate->pipe(message(from => 'Staff agent <agent@support.example>', subject => "Re: [#$n1] Не работает подпись",
                         in_reply_to => substr($assigned->{'message-id'}, 1, -1),
                         body => "Переустановите CSP 5.0 R3 и проверьте лицензию.\nПодробно: шаг 1, шаг 2.\n\n-- \nАгент"));
is($r->{action}, 'replied', 'a staff member answering by e-mail');
$res = $admin->api('GET', "staff/tickets/$n1");
$reply = last_said($res);
is($reply->{side}, 'staff', '... is a staff reply');
is($reply->{author}, 'Staff agent', '... by them');
my ($answer) = got('maria@example.org', qr/^\[#$n1\] Ответ специалиста/);
ok($answer, 'the customer gets the answer by e-mail');
like($answer->{text}, qr/Переустановите CSP 5\.0 R3 и проверьте лицензию\.\nПодробно: шаг 1, шаг 2\./,
     '... with the full text (Keysystems §4.4)');

# --- who may write where -----------------------------------------------------------

# petr names maria's ticket: held, nothing added
my $before = scalar @{ $maria->api('GET', "tickets/$n1")->{json}{messages} };
$r = $gate->pipe(message(from => 'petr@romashka.example', subject => "Re: [#$n1] подпись",
                         body => 'Закройте это обращение.'));
is($r->{action}, 'quarantined', "a sender who may not write on ticket $n1 is held");
is($r->{reason}, 'not_allowed', '... because they may not');
is(scalar @{ $maria->api('GET', "tickets/$n1")->{json}{messages} }, $before, '... nothing was added to the ticket');

# somebody spoofing maria's address from outside is a matter of the MTA
# (SPF, DKIM); a stranger naming the ticket is held as well
$r = $gate->pipe(message(from => 'stranger@evil.example', subject => "[#$n1] test", body => 'hi'));
is($r->{action}, 'quarantined', 'a stranger naming a ticket is held too');

$res = $admin->api('GET', 'admin/mail');
my @held = @{ $res->{json}{quarantine} };
is(scalar @held, 2, 'administrators see both in the quarantine');
my ($hp) = grep { $_->{from} eq 'petr@romashka.example' } @held;
is($hp->{ticket}, $n1, '... with the ticket they claimed');
is($hp->{reason}, 'not_allowed', '... and why');

my $page = $admin->get('admin/mail');
is($page->{status}, 200, 'the page /admin/mail');
like($page->{content}, qr/petr\@romashka\.example/, '... lists the held message');
like($page->{content}, qr/Отправитель не может писать в это обращение/, '... and why, in words');
$page = $admin->get("admin/mail/quarantine/$hp->{id}");
like($page->{content}, qr/Закройте это обращение|0JfQsNC6/, 'one held message shows what it says');
like($page->{content}, qr/name="confirm"/, '... deleting it asks first');

$res = $maria->api('GET', 'admin/mail');
is($res->{status}, 403, 'a customer may not see it');

# released: never into somebody else's ticket, a ticket of petr's own
$res = $admin->api('POST', "admin/mail/quarantine/$hp->{id}/release");
is($res->{status}, 200, 'an administrator releases it');
is($res->{json}{action}, 'created', '... it becomes a ticket of its own');
my $n3 = $res->{json}{ticket};
isnt($n3, $n1, '... not a reply on the ticket it named');
is($petr->api('GET', "tickets/$n3")->{status}, 200, '... which its sender sees');
is(scalar @{ $maria->api('GET', "tickets/$n1")->{json}{messages} }, $before, '... and maria\'s ticket is untouched');
$res = $admin->api('POST', "admin/mail/quarantine/$hp->{id}/release");
is($res->{status}, 404, 'released once: it is gone from the quarantine');

my ($hs) = grep { $_->{from} eq 'stranger@evil.example' } @held;
$res = $admin->api('DELETE', "admin/mail/quarantine/$hs->{id}");
is($res->{status}, 204, 'the other is deleted');
is(scalar @{ $admin->api('GET', 'admin/mail')->{json}{quarantine} }, 0, 'the quarantine is empty');

# a company colleague who may act on the ticket (company admin) is allowed;
# see t/063 for the rights themselves: here the owner agent
# (the MTA vouches for the agent's domain: helpdesk_mail_authserv_id)
$r = $gate->pipe(message(from => 'agent@support.example', subject => "[#$n2] по вашему вопросу", body => 'Смотрю.',
                         headers => [['Authentication-Results',
                                      'mx.support.example; spf=pass smtp.mailfrom=support.example; '
                                      . 'dkim=pass header.d=support.example; dmarc=pass header.from=support.example']]));
is($r->{action}, 'replied', 'staff may answer on any ticket of their departments');

# --- refusals that explain themselves ---------------------------------------------

$r = $gate->pipe(message(from => 'Новый Клиент <newbie@client.example>', body => 'Помогите!'));
is($r->{action}, 'quarantined', 'a new request without a subject is held, not registered');
is($r->{reason}, 'empty_subject', '... because it has none (Keysystems §3)');
my ($nosub) = got('newbie@client.example', qr/нет темы/);
ok($nosub, 'the sender is told why by e-mail');
like($nosub->{text}, qr/Тема обязательна/, '... the rule');
like($nosub->{text}, qr{/tickets/new}, '... and where to write instead');
is($nosub->{'auto-submitted'}, 'auto-replied', '... marked Auto-Submitted: auto-replied');
like($nosub->{text}, qr/Здравствуйте, Новый Клиент!/, '... greeting them by the name their mail gave');

# a final status: not added, told to open a new ticket
$res = $maria->api('POST', "tickets/$n1/close");
is($res->{status}, 200, "maria closes ticket $n1");
$before = scalar @{ $maria->api('GET', "tickets/$n1")->{json}{messages} };
$r = $gate->pipe(message(from => 'maria@example.org', subject => "Re: [#$n1] Не работает подпись",
                         body => 'Опять та же ошибка.'));
is($r->{action}, 'quarantined', 'mail to a closed ticket is not added, but held');
is($r->{reason}, 'final_status', '... because it is closed (Kaspersky block 10)');
is(scalar @{ $maria->api('GET', "tickets/$n1")->{json}{messages} }, $before, '... the ticket is unchanged');
my ($closed) = got('maria@example.org', qr/^\[#$n1\] Обращение уже закрыто/);
ok($closed, 'the sender is told the ticket is closed');
like($closed->{text}, qr{/tickets/new\?reference=$n1}, '... with a link to a new ticket that refers to it');
$res = $maria->get("tickets/new?reference=$n1");
like($res->{content}, qr/name="reference" value="$n1"/, '... which opens the form with the reference');

# what the senders were told is kept: an administrator may let it in
my %held = map { $_->{reason} => $_->{id} } @{ $admin->api('GET', 'admin/mail')->{json}{quarantine} };
my ($closed_held, $nosub_held) = @held{qw(final_status empty_subject)};
ok($closed_held && $nosub_held, 'both are in the quarantine, with their reasons');
$res = $admin->api('POST', "admin/mail/quarantine/$closed_held/release");
is($res->{json}{action}, 'created', 'the closed ticket\'s mail, let in, is a new ticket');
isnt($res->{json}{ticket}, $n1, '... not a message on the closed one');
my $reopened_as = $res->{json}{ticket};
like($maria->api('GET', "tickets/$reopened_as")->{json}{messages}[0]{body}, qr/Опять та же ошибка/,
     '... with what it said, which maria sees');
ok(got('maria@example.org', qr/^\[#$reopened_as\]/), '... and is told of as any new one');
$res = $admin->api('POST', "admin/mail/quarantine/$nosub_held/release");
is($res->{json}{action}, 'created', 'the mail without a subject, let in, is a ticket');
$res = $admin->api('GET', "staff/tickets/$res->{json}{ticket}");
is($res->{json}{subject}, 'Помогите!', '... named by its first words');
my $let_in = $res->{json}{number};
ok(got('newbie@client.example', qr/^\[#$let_in\]/), '... and its sender hears it is registered');

# --- machines ---------------------------------------------------------------

my $mails = () = $relay->messages;
my $on_n2 = scalar @{ $petr->api('GET', "tickets/$n2")->{json}{messages} };
$r = $gate->pipe(corpus('autoreply-ooo.eml', TICKET => $n2));
is($r->{action}, 'ignored', 'an out-of-office reply is left alone');
is($r->{reason}, 'auto_reply', '... as an automatic reply');
is(scalar @{ $petr->api('GET', "tickets/$n2")->{json}{messages} }, $on_n2, '... nothing added');

$r = $gate->pipe(corpus('mailing-list.eml'));
is($r->{action}, 'created', 'a mailing-list message still becomes a ticket (staff decide)');
my $nlist = $r->{ticket};

$r = $gate->pipe(message(from => 'MAILER-DAEMON@mx.example', subject => 'Undelivered', body => 'x'));
is($r->{reason}, 'mailer_daemon', 'a mailer-daemon is left alone');
$r = $gate->pipe(message(from => 'support@example.com', subject => 'loop?', body => 'x'));
is($r->{reason}, 'own_address', 'mail from our own address is left alone');
$r = $gate->pipe(message(from => 'x@client.example', subject => 'Re: что-то', id => substr($conf->{'message-id'}, 1, -1)));
is($r->{reason}, 'own_mail', 'our own mail coming back (its Message-ID) is left alone');
sleep 1.5;
is(scalar(() = $relay->messages), $mails, 'none of these machines got an answer');

# a bounce: the address is marked, the outbox mail failed after all
my ($petr_mail) = grep { $_->{'message-id'} =~ /^<hd\.\d+\./ }
                  got('petr@romashka.example', qr/^\[#$n2\] Ответ специалиста/);
my $ourid = substr($petr_mail->{'message-id'}, 1, -1);
$r = $gate->pipe(corpus('bounce-dsn.eml', BOUNCED => 'petr@romashka.example', OURID => $ourid));
is($r->{action}, 'ignored', 'a delivery report is taken');
is($r->{reason}, 'bounce', '... as a bounce');
$res = $petr->api('GET', 'me');
like($res->{json}{email_bounced}{reason}, qr/^550 5\.1\.1 <petr\@romashka\.example>: Recipient address rejected: User unknown$/,
     'the address is marked as not taking mail, with the server\'s whole words') or diag explain $res->{json};
my ($outbox) = grep { $_->{to} eq 'petr@romashka.example' && $_->{state} eq 'failed' } $t->outbox;
ok($outbox, 'the mail it reports on failed after all');

# --- the corpus: each ends as something, none crashes ---------------------------

my %expect = ('applemail-qp.eml' => 'created', 'gmail-alternative-inline.eml' => 'created',
              'forwarded.eml' => 'created', 'no-subject-iso-8859-5.eml' => 'quarantined',
              'malformed-base64.eml' => 'created', 'malformed-no-boundary.eml' => 'created',
              'malformed-nul.eml' => undef);
my @pids = sort $t->worker_pids;
for my $f (sort keys %expect) {
    my $start = time;
    $r = $gate->pipe(corpus($f));
    is($r->{rc}, 0, "$f: taken (exit 0)") or diag explain $r;
    is($r->{action}, $expect{$f}, "... $expect{$f}") if defined $expect{$f};
    ok(time - $start < 10, '... in bounded time');
}

$r = $gate->pipe(corpus('applemail-qp.eml'));
is($r->{action}, 'duplicate', 'a corpus message twice: a duplicate');
my $apple = $admin->api('GET', 'staff/tickets/' . (grep { $_->{action} eq 'created' && $_->{from} eq 'olga@icloud.example' } log_of())[0]{ticket});
like($apple->{json}{subject}, qr/^Лицензия: срок истёк/, 'Apple Mail: the QP subject decoded');
my ($att) = map { @{ $_->{attachments} } } grep { $_->{kind} ne 'note' } @{ $apple->{json}{messages} };
ok($att && $att->{name} =~ /\S/, '... its attachment kept') or diag explain $apple->{json}{messages};

my $gmail = (grep { $_->{from} eq 'anna.k@gmail.example' } log_of())[0];
$res = $admin->api('GET', "staff/tickets/$gmail->{ticket}");
my $desc = $res->{json}{messages}[0];
unlike($desc->{body}, qr/<div|<img/, 'Gmail: the text part is preferred over the HTML');
ok(scalar @{ $desc->{attachments} }, '... the inline image kept as a file');

# hostile shapes made here: deep nesting, a long header line, a big file
my $nest = "From: deep\@client.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n";
$nest .= "Content-Type: multipart/mixed; boundary=\"b$_\"\r\n\r\n--b$_\r\n" for 1 .. 1000;
$nest .= "Content-Type: text/plain\r\n\r\ndeep\r\n";
my $start = time;
$r = $gate->pipe($nest);
is($r->{rc}, 0, '1,000 nested parts: taken');
ok(time - $start < 10, '... in bounded time');

$r = $gate->pipe("From: long\@client.example\r\nSubject: long header\r\nX-Long: " . ('a' x (1024 * 1024))
                 . "\r\n\r\nbody\r\n");
is($r->{rc}, 0, 'a 1 MB header line: taken');

my $big = join '', map { chr(($_ * 7919) % 256) } 1 .. 65536;
$big x= 40;   # 2.5 MB: over the 2 MB file limit of this portal
$r = $gate->pipe(message(from => 'maria@example.org', subject => 'Большой файл',
                         body => 'Прикладываю дамп.', files => [['dump.bin', 'application/octet-stream', $big]]));
is($r->{action}, 'created', 'a message with a file over the limit still makes its ticket');
$res = $admin->api('GET', "staff/tickets/$r->{ticket}");
my ($note) = grep { $_->{kind} eq 'note' } @{ $res->{json}{messages} };
like($note->{body}, qr/dump\.bin \(2621440 bytes\)/, '... staff are told the file is only in original.eml');
ok(!(grep { $_->{name} eq 'dump.bin' } map { @{ $_->{attachments} } } @{ $res->{json}{messages} }),
   '... it is not an attachment');

Helpdesk::Test::write_file("$dir/huge.eml", "From: a\@b.cd\r\nSubject: huge\r\n\r\n" . ('x' x (7 * 1024 * 1024)));
my $out2 = `$Helpdesk::Test::BUILD/helpdesk mailgate @{[ $t->url('/api/v1/mailgate') ]} --key-file $dir/gate.key <$dir/huge.eml 2>&1`;
is($? >> 8, 65, 'a message larger than the gate takes: 65, the MTA bounces it');
like($out2, qr/^5\.6\.0 .*HTTP 413/m, '... saying so');

is_deeply([sort $t->worker_pids], \@pids, 'no worker died on any of it');

# --- an unknown sender: a contact, whose registration takes the ticket -----------

$r = $gate->pipe(message(from => 'Ольга Новикова <olga.n@client.example>', subject => 'Как продлить лицензию?',
                         body => 'Подскажите, как продлить.'));
is($r->{action}, 'created', 'somebody the portal does not know writes');
my $n4 = $r->{ticket};
my ($welcome) = got('olga.n@client.example', qr/^\[#$n4\]/);
like($welcome->{text}, qr/зарегистрируйтесь с этим адресом/, 'the confirmation says how to see it on the portal');
like($welcome->{text}, qr{/register}, '... with the link');

# registering with the address: the tickets wait for the address's proof
my $olga = $t->client;
$res = $olga->api('POST', 'accounts', { email => 'olga.n@client.example', login => 'olga',
                                        password => 'olga-password-1', name => 'Ольга Новикова' });
is($res->{status}, 202, 'registering with the address: 202, waiting for the address');
is($res->{json}{pending}, 'email', '... the answer says the mail has the link');
$res = $olga->api('POST', 'session', { login => 'olga', password => 'olga-password-1' });
is($res->{status}, 401, '... nobody logs in before it is opened');
my ($claim) = got('olga.n@client.example', qr/завершить регистрацию/, count => 1);
ok($claim, 'the address gets the link');
like($claim->{text}, qr/С этого адреса уже приходили обращения/, '... which says why');
my ($token) = $claim->{text} =~ /email\/confirm\?token=([\w-]+)/;
$page = $olga->get("email/confirm?token=$token");
is($page->{status}, 200, 'the link opens a page with a button (mail scanners confirm nothing)');
unlike($page->{content}, qr/pbkdf2|\$/i, '... showing nothing of what was kept');
$res = $olga->api('POST', 'email/confirm', { token => $token });
is($res->{status}, 200, 'the address confirmed') or diag $res->{content};
$olga->login('olga', 'olga-password-1');
$res = $olga->api('GET', "tickets/$n4");
is($res->{status}, 200, 'now the account has the ticket that came by e-mail');
is($olga->api('GET', 'me')->{json}{name}, 'Ольга Новикова', '... under the name registered with');

# --- limits ------------------------------------------------------------------

# 40 messages a day from one sender, then the quarantine
my @actions;
for my $i (1 .. 41) {
    my $res = $gate->post(message(from => 'busy@client.example', subject => "Вопрос $i", body => "Текст $i"));
    push @actions, $res->{json}{action};
}
is(scalar(grep { $_ eq 'created' } @actions), 40, '40 messages from one sender are taken');
is($actions[-1], 'quarantined', 'the 41st is held');
is((grep { $_->{from} eq 'busy@client.example' } @{ $admin->api('GET', 'admin/mail')->{json}{quarantine} })[0]{reason},
   'too_many', '... as too many');

# --- metrics ------------------------------------------------------------------

$res = $admin->get('/metrics');
{
    like($res->{content}, qr/^helpdesk_mail_in_total\{action="created"\} [1-9]/m, 'metrics: tickets created by mail');
    like($res->{content}, qr/^helpdesk_mail_in_total\{action="quarantined"\} [1-9]/m, '... held');
    like($res->{content}, qr/^helpdesk_mail_in_reason_total\{reason="empty_subject"\} 2$/m, '... by reason');
}

$t->finish;
done_testing;
