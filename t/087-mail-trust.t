# Mail that cannot be forged (SPEC §7.2, §12): a staff member's reply by
# e-mail is taken only when it proves itself, by the signed token of the mail
# the portal sent that very person about that ticket (carried back in
# In-Reply-To or References, as mail clients do), or by the word of the
# operator's MTA (Authentication-Results of helpdesk_mail_authserv_id with
# dmarc or an aligned dkim pass). A forged one is held as unverified_staff
# and nothing reaches the customer. A customer's reply without either is
# taken, marked "unverified sender" for staff. One-click unsubscribe is
# written raw (RFC 8058). The mail gate's wrong keys are logged once a
# minute with a count.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;
use Helpdesk::Mailin;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
my $dir = $t->dir;
my $relay = Helpdesk::Smtp->start(dir => "$dir/relay");
my $key = 'trust-gate-key-0123456789abcdef';
Helpdesk::Test::write_file("$dir/gate.key", "$key\n");
chmod 0600, "$dir/gate.key";
$t->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . " from=support\@example.com timeout=5s retry=1s;\n"
           . "    helpdesk_mailgate_key file=$dir/gate.key;\n"
           . "    helpdesk_mail_authserv_id mx.example.com mx2.example.com;\n"
           . '    helpdesk_url http://127.0.0.1:' . $t->port . '/;';
$t->start;

my $gate = Helpdesk::Mailin->new(dir => $dir, url => $t->url('/api/v1/mailgate'),
                                 key => $key, key_file => "$dir/gate.key");
*message = \&Helpdesk::Mailin::message;

my $admin = $t->staff('boss', 'administrator');
my $agent = $t->staff('agent', 'agent', name => 'Агент Смирнов');
my $other = $t->staff('other', 'agent', name => 'Другой Агент');
my $maria = $t->user('maria', email => 'maria@example.org', name => 'Мария Иванова');

my $n = $t->ticket($maria, subject => 'Не работает подпись');
my $n2 = $t->ticket($maria, subject => 'Второй вопрос');

sub staff_answers {
    my ($number) = @_;
    my $res = $admin->api('GET', "staff/tickets/$number");
    return grep { $_->{side} eq 'staff' && $_->{kind} ne 'event' && $_->{kind} ne 'note' }
           @{ $res->{json}{messages} };
}

sub to_maria { grep { grep { $_ eq 'maria@example.org' } @{ $_->{rcpt_tos} } } $relay->messages }

# --- a forged staff reply: held, never shown or sent to the customer ---------------

# both tickets' acknowledgements are in before counting: what comes after
# would be the forged reply's
$relay->wait_for(to => 'maria@example.org', subject => qr/^\[#$_\]/) for $n, $n2;
my $before_mail = () = to_maria();

my $r = $gate->pipe(message(from => 'Агент Смирнов <agent@support.example>', subject => "Re: [#$n] Не работает подпись",
                            body => "Пришлите ваш пароль на http://evil.example/ для проверки."));
is($r->{rc}, 0, 'a forged staff reply: the pipe exits 0 (the portal keeps it)');
is($r->{action}, 'quarantined', '... it is held');
is($r->{reason}, 'unverified_staff', '... as an unverified staff sender');
is(scalar(staff_answers($n)), 0, '... nothing is added to the ticket');
my $res = $maria->api('GET', "tickets/$n");
unlike($res->{content}, qr/evil\.example/, '... the customer sees nothing of it');
sleep 1.5;
is(scalar(() = to_maria()), $before_mail, '... and gets no mail from it');

my ($held) = grep { $_->{reason} eq 'unverified_staff' } @{ $admin->api('GET', 'admin/mail')->{json}{quarantine} };
ok($held, 'administrators see it in the quarantine');
is($held->{ticket}, $n, '... with the ticket it claimed');
my $page = $admin->get('admin/mail');
like($page->{content}, qr/Письмо от имени сотрудника без подтверждения/, '... and why, in words');
like($admin->get("admin/mail/quarantine/$held->{id}")->{content}, qr/Принять письмо/,
     '... the release button says what it does (not "skip")');

# an Authentication-Results of somebody else's MTA, or below the trusted one,
# proves nothing
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Подделка 2',
                         headers => [['Authentication-Results', 'mx.evil.example; dmarc=pass header.from=support.example']]));
is($r->{reason}, 'unverified_staff', 'an Authentication-Results of an MTA not named is not believed');
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Подделка 3',
                         headers => [['Authentication-Results', 'mx.example.com; dmarc=fail header.from=support.example'],
                                     ['Authentication-Results', 'mx.example.com; dmarc=pass header.from=support.example']]));
is($r->{reason}, 'unverified_staff', 'only the topmost field of the trusted MTA counts (a lower one is the sender\'s)');
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Подделка 4',
                         headers => [['Authentication-Results', 'mx.example.com; dkim=pass header.d=evil.example']]));
is($r->{reason}, 'unverified_staff', 'a dkim pass for another domain proves nothing');
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Подделка 5',
                         in_reply_to => "hd.1.000000000000000000000000\@example.com"));
is($r->{reason}, 'unverified_staff', 'a made-up token proves nothing');

# --- the agent answers the mail the portal sent them ------------------------------

$res = $admin->api('PATCH', "staff/tickets/$n", { owner => $agent->{id} });
is($res->{status}, 200, 'the ticket is assigned to the agent');
my $assigned = $relay->wait_for(to => 'agent@support.example', subject => qr/^\[#$n\]/);
ok($assigned, '... who is told by e-mail');
my $token_id = substr($assigned->{'message-id'}, 1, -1);
like($token_id, qr/^hd\.\d+\.[0-9a-f]{24}\@example\.com$/, '... in a mail whose Message-ID carries a signed token');

# another staff member cannot use it, nor can it answer another ticket
$r = $gate->pipe(message(from => 'other@support.example', subject => "Re: [#$n] подпись", body => 'Чужой токен',
                         in_reply_to => $token_id));
is($r->{reason}, 'unverified_staff', 'the token of another staff member proves nothing');
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n2] второй", body => 'Не тот',
                         in_reply_to => $token_id));
is($r->{reason}, 'unverified_staff', 'the token of another ticket proves nothing');

# as a mail client answers: In-Reply-To and References
$r = $gate->pipe(message(from => 'Агент Смирнов <agent@support.example>', subject => 'Re: ' . $assigned->{subject},
                         in_reply_to => $token_id, references => "<hd.ticket.$n\@example.com> <$token_id>",
                         body => "Переустановите CSP 5.0 R3.\n\n> Обращение назначено вам"));
is($r->{action}, 'replied', 'the agent answering the notification from a mail client is a staff reply');
my @answers = staff_answers($n);
is(scalar @answers, 1, '... on the ticket');
is($answers[0]{body}, 'Переустановите CSP 5.0 R3.', '... its new words');
my $answer = $relay->wait_for(to => 'maria@example.org', subject => qr/^\[#$n\] Ответ специалиста/);
ok($answer, '... which reaches the customer');
like($answer->{text}, qr/Переустановите CSP 5\.0 R3\./, '... in full');

# References alone carry it too (some clients drop In-Reply-To)
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись",
                         references => "<$token_id>", body => 'Ещё уточнение.'));
is($r->{action}, 'replied', 'the token in References alone proves the sender');

# the operator's MTA vouches: dmarc pass, or dkim pass aligned with From
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Через DMARC.',
                         headers => [['Authentication-Results',
                                      "mx2.example.com (Postfix);\r\n\tspf=pass smtp.mailfrom=support.example;\r\n"
                                      . "\tdmarc=pass (p=reject) header.from=support.example"]]));
is($r->{action}, 'replied', 'dmarc=pass from a named MTA proves the sender');
$r = $gate->pipe(message(from => 'agent@support.example', subject => "Re: [#$n] подпись", body => 'Через DKIM.',
                         headers => [['Authentication-Results', 'mx.example.com; dkim=pass header.i=@support.example header.s=sel']]));
is($r->{action}, 'replied', 'dkim=pass for the From domain proves it too');

# --- a customer's reply: taken, marked when unproven ------------------------------

my ($conf) = $relay->wait_for(to => 'maria@example.org', subject => qr/^\[#$n\] Обращение зарегистрировано/);
like($conf->{references} // '', qr/<hd\.\d+\.[0-9a-f]{24}\@example\.com>/,
     'the confirmation carries the customer\'s token in References');
$r = $gate->pipe(message(from => 'maria@example.org', subject => "Re: [#$n] Не работает подпись",
                         in_reply_to => substr($conf->{'message-id'}, 1, -1), references => $conf->{references}
                         . " $conf->{'message-id'}", body => 'Переустановила, работает.'));
is($r->{action}, 'replied', 'the customer answering the confirmation');
$r = $gate->pipe(message(from => 'maria@example.org', subject => "[#$n] ещё", body => 'Написала с нуля.'));
is($r->{action}, 'replied', 'the customer writing anew with [#N] only: taken too');

$res = $admin->api('GET', "staff/tickets/$n");
my ($proven) = grep { ($_->{body} // '') eq 'Переустановила, работает.' } @{ $res->{json}{messages} };
my ($bare) = grep { ($_->{body} // '') eq 'Написала с нуля.' } @{ $res->{json}{messages} };
ok(!$proven->{unverified_sender}, 'a reply carrying the token is not marked');
ok($bare->{unverified_sender}, 'a reply with neither token nor pass is marked unverified for staff');
$page = $admin->get("staff/tickets/$n");
like($page->{content}, qr/Отправитель не подтверждён/, '... on the staff page, in words');
$res = $maria->api('GET', "tickets/$n");
ok(!(grep { exists $_->{unverified_sender} } @{ $res->{json}{messages} }), '... which the customer is not shown');

# --- one-click unsubscribe, as the bytes go over the wire ------------------------

$maria->api('POST', "tickets/$n/messages", { body => 'Спасибо!' });
my $copy = $relay->wait_for(to => 'maria@example.org', subject => qr/^\[#$n\] Добавлен ответ/);
my $raw = $relay->raw($copy);
my ($lu) = $raw =~ /^List-Unsubscribe:(.*?)\r\n(?![ \t])/ms;
like($lu, qr{^ <https?://[^>\s]+/unsubscribe\?token=[\w-]+>$}, 'List-Unsubscribe is <URL>, written raw (no encoded-words)');
unlike($lu, qr/=\?/, '... not RFC 2047');
like($raw, qr/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m, 'List-Unsubscribe-Post as RFC 8058 says');
my ($url) = $lu =~ /<([^>]+)>/;
(my $path = $url) =~ s{^https?://[^/]+}{};
$res = $t->client->request('POST', $path, content => 'List-Unsubscribe=One-Click',
                           headers => { 'Content-Type' => 'application/x-www-form-urlencoded' });
is($res->{status}, 200, 'the one-click POST works without a session');

# --- the gate's wrong keys: once a minute, counted ----------------------------------

my $bad = Helpdesk::Mailin->new(dir => $dir, url => $t->url('/api/v1/mailgate'), key => 'w' x 32);
$bad->post(message(subject => 'x')) for 1 .. 60;
my $lines = () = $t->error_log =~ /helpdesk mail gate: (?:a wrong|no) key/g;
ok($lines >= 1 && $lines <= 2, "60 wrong keys: $lines warning lines (at most one a minute per worker)");
like($t->error_log, qr/\((\d+) wrong or missing keys in the last minute\)/, '... each with its count');

$t->stop;
unlike($t->error_log, qr/\[(alert|emerg)\]/, 'no alert in the error log');

# a bad authserv-id fails nginx -t naming the directive and the value
my ($rc, $out) = $t->nginx_t(http => 'helpdesk_mail_authserv_id "mx;evil";');
isnt($rc, 0, 'helpdesk_mail_authserv_id with a ";" fails nginx -t');
like($out, qr/helpdesk_mail_authserv_id: "mx;evil" is not an authserv-id/, '... naming the directive and the value');

done_testing;
