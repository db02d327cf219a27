# E-mail that leaves (SPEC §7.1): every kind of notification the portal
# writes arrives at a real relay (aiosmtpd, STARTTLS required, AUTH) as a
# mail client shows it: decoded Cyrillic names and subjects, [#N] in the
# subject, every mail of a ticket threaded on its first one, a text part
# and an HTML one, Auto-Submitted on automatic mail, one-click unsubscribe
# on what can be muted. Nothing a user types adds a header or a recipient.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;
use Helpdesk::Smtp;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
my $dir = $t->dir;
my ($cert, $key) = Helpdesk::Smtp->certificate("$dir/tls");
my $relay = Helpdesk::Smtp->start(dir => "$dir/relay",
    args => ['--tls', $cert, $key, '--require-tls', '--auth', 'portal:s3cret pass']);

Helpdesk::Test::write_file("$dir/smtp.password", "s3cret pass\n");
chmod 0600, "$dir/smtp.password";

my $port = $relay->port;
$t->{http} = qq{helpdesk_smtp 127.0.0.1:$port "from=Служба поддержки «Тест» <support\@example.com>" }
           . qq{starttls=required auth=portal:$dir/smtp.password ca=$cert timeout=5s retry=1s retry_max=2s;\n}
           . qq{    helpdesk_url http://127.0.0.1:} . $t->port . q{/;};
$t->start;

like($t->error_log, qr/helpdesk: mail goes to 127\.0\.0\.1:$port from support\@example\.com/,
     'the start says where mail goes');

my $base = 'http://127.0.0.1:' . $t->port . '/';

# --- what arrived, by the outbox's ids -----------------------------------

# every message the relay took, keyed by the outbox id in its Message-ID;
# a ticket's confirmation is the thread's root (hd.ticket.N)
sub by_id {
    my %m;
    for my $msg ($relay->messages) {
        my $id = $msg->{'message-id'} // '';
        push @{ $m{$1} }, $msg if $id =~ /^<hd\.(\d+)\.[0-9a-f]{16,24}\@example\.com>$/;
        push @{ $m{"ticket:$1"} }, $msg if $id =~ /^<hd\.ticket\.(\d+)\@example\.com>$/;
    }
    return \%m;
}

# waits until the outbox has sent everything it holds
sub all_sent {
    my ($what) = @_;
    my $deadline = time + 30;
    my @left;
    while (time < $deadline) {
        @left = grep { $_->{state} ne 'sent' } $t->outbox;
        last unless @left;
        select undef, undef, undef, 0.2;
    }
    ok(!@left, "$what: every mail sent") or diag explain \@left;
}

my %kinds_seen;

# the checks every mail passes; returns the message as received
sub arrived {
    my ($mail, %o) = @_;
    my $got = by_id();
    my $key = $mail->{kind} eq 'ticket_created' ? "ticket:$o{ticket}" : $mail->{id};
    my @copies = @{ $got->{$key} // [] };
    my $name = "$mail->{kind} to $mail->{to}";
    is(scalar @copies, 1, "$name arrived once") or return;
    my $m = $copies[0];
    $kinds_seen{$mail->{kind}}++;

    is_deeply($m->{rcpt_tos}, [$mail->{to}], "$name: the envelope names only its address");
    is($m->{subject}, $mail->{subject}, "$name: the subject decodes as written");
    is_deeply($m->{from}, [{ name => 'Служба поддержки «Тест»', address => 'support@example.com' }],
              "$name: from the portal, a Cyrillic name decoded");
    ok($m->{tls} && $m->{auth}, "$name: over STARTTLS, logged in");
    like($m->{date} // '', qr/\d{2} \w{3} \d{4} \d\d:\d\d:\d\d/, "$name: dated");
    is(join(' ', map { $_->{type} } @{ $m->{parts} }), 'multipart/alternative text/plain text/html',
       "$name: a text part and an HTML one");
    is($m->{parts}[1]{charset}, 'utf-8', "$name: UTF-8");
    ok(length($m->{text} // '') > 20 && length($m->{html} // '') > 100, "$name: both have the content");
    unlike($m->{html}, qr/\{\{|\}\}/, "$name: no template tag left in the HTML");
    unlike($m->{text}, qr/\{\{|\}\}/, "$name: nor in the text");
    is_deeply($m->{defects}, [], "$name: no MIME defects");
    ok($m->{longest_line} <= 998, "$name: no line over 998 bytes");

    if ($o{ticket}) {
        like($m->{subject}, qr/\[#$o{ticket}\]/, "$name: [#$o{ticket}] in the subject");
        my $root = "<hd.ticket.$o{ticket}\@example.com>";
        if ($mail->{kind} eq 'ticket_created') {
            is($m->{'message-id'}, $root, "$name: the thread's first message");
            ok(!defined $m->{'in-reply-to'}, "$name: answers nothing");
        } else {
            is($m->{'in-reply-to'}, $root, "$name: In-Reply-To the ticket's first message");
            is($m->{references}, $root, "$name: References it");
        }
    }

    my $auto = !grep { $mail->{kind} eq $_ } qw(ticket_staff_reply ticket_info_request
                                                 ticket_solution ticket_cancelled_staff);
    is($m->{'auto-submitted'}, $auto ? 'auto-generated' : undef,
       $auto ? "$name: Auto-Submitted: auto-generated" : "$name: written by a person: not auto-submitted");

    my $mutable = grep { $mail->{kind} eq $_ } qw(ticket_reply ticket_assigned ticket_customer_reply
                                                   ticket_customer_reopened ticket_sla_at_risk
                                                   ticket_sla_breached company_member_added
                                                   company_member_removed);
    if ($mutable) {
        like($m->{'list-unsubscribe'} // '', qr{^<\Q$base\Eunsubscribe\?token=[\w-]{38}>$},
             "$name: a one-click unsubscribe link");
        is($m->{'list-unsubscribe-post'}, 'List-Unsubscribe=One-Click', "$name: RFC 8058");
        like($m->{text}, qr{\Q$base\Eunsubscribe\?token=}, "$name: the link in the text too");
    } else {
        ok(!defined $m->{'list-unsubscribe'}, "$name: nothing to unsubscribe from");
    }
    return $m;
}

# the newest outbox mail of a kind to an address (waited for, then checked)
sub mail_of {
    my ($kind, $to, %o) = @_;
    all_sent($kind);
    my ($mail) = grep { $_->{kind} eq $kind && lc $_->{to} eq lc $to } reverse $t->outbox;
    ok($mail, "a $kind mail to $to was written") or return;
    return arrived($mail, %o);
}

# --- an account -----------------------------------------------------------

my $ivan = $t->client(local_address => Helpdesk::Test::user_address());
my $res = $ivan->api('POST', 'accounts', { email => 'ivan@example.com', login => 'ivan',
                                           password => 'ivan-password-1', name => 'Иван Петров' });
is($res->{status}, 202, 'a registration waits for its link');
my $m = mail_of('account_confirm', 'ivan@example.com');
is_deeply($m->{to}, [{ name => 'Иван Петров', address => 'ivan@example.com' }],
          'the customer\'s Cyrillic name decodes in To');
my ($token) = $m->{text} =~ m{\Q$base\Eemail/confirm\?token=([\w-]{43})};
ok($token, 'the registration link points at the portal (helpdesk_url)');
like($m->{html}, qr{href="\Q$base\Eemail/confirm\?token=$token"}, 'the HTML part links it too');
is($ivan->api('POST', 'session', { login => 'ivan', password => 'ivan-password-1' })->{status}, 401,
   'nobody logs in before the link is followed');

$res = $ivan->api('POST', 'email/confirm', { token => $token });
is($res->{status}, 201, 'following the link makes the account');
$ivan->login('ivan', 'ivan-password-1');
is($ivan->api('GET', 'me')->{json}{email_confirmed}, JSON::PP::true, 'its address proven by it');

# the link that proves the address again (asked for after a bounce, or lost)
is($ivan->api('POST', 'me/email/confirmation')->{status}, 409, 'a proven address needs no link');
my $admin = $t->staff('boss', 'administrator', name => 'Борис Начальников');
my $agent = $t->staff('agent', 'agent', name => 'Анна Специалистова');

# --- a ticket's life ------------------------------------------------------

my $n = $t->ticket($ivan, subject => 'Не подписывается документ: ошибка 0x80090008');
$m = mail_of('ticket_created', 'ivan@example.com', ticket => $n);
like($m->{text}, qr/зарегистрировано под номером $n/, 'the confirmation says the number');
like($m->{html}, qr{href="\Q$base\Etickets/$n"}, 'and links the ticket');

# before anyone answers, nobody owns it: the department's staff are told
is($ivan->api('POST', "tickets/$n/messages", { body => 'Версия 5.0, журнал во вложении.' })->{status}, 201,
   'the customer adds to the ticket');
mail_of('ticket_reply', 'ivan@example.com', ticket => $n);
$m = mail_of('ticket_customer_reply', 'agent@support.example', ticket => $n);
like($m->{text}, qr/Версия 5\.0, журнал во вложении\./, 'the staff get the customer\'s words');
like($m->{text}, qr{\Q$base\Estaff/tickets/$n}, 'and the staff page of the ticket');
mail_of('ticket_customer_reply', 'boss@support.example', ticket => $n);

$t->staff_says($admin, $n, 'reply', 'Здравствуйте! Уточните версию КриптоПро CSP.');
$m = mail_of('ticket_staff_reply', 'ivan@example.com', ticket => $n);
like($m->{text}, qr/Уточните версию КриптоПро CSP\./, 'the staff reply in full');

$t->staff_says($admin, $n, 'info_request', 'Пришлите журнал событий.');
mail_of('ticket_info_request', 'ivan@example.com', ticket => $n);

$res = $admin->api('PATCH', "staff/tickets/$n", { owner => $agent->{id} });
is($res->{status}, 200, 'the administrator gives the ticket to the agent');
mail_of('ticket_assigned', 'agent@support.example', ticket => $n);

my $before = grep { $_->{kind} eq 'ticket_customer_reply' } $t->outbox;
$ivan->api('POST', "tickets/$n/messages", { body => 'Ещё одна деталь.' });
all_sent('a second reply');
my @told = grep { $_->{kind} eq 'ticket_customer_reply' } $t->outbox;
is(scalar @told, $before + 1, 'with an owner, only the owner is told');
is($told[-1]{to}, 'agent@support.example', 'the owner');

$t->staff_says($agent, $n, 'solution', 'Переустановите сертификат.');
mail_of('ticket_solution', 'ivan@example.com', ticket => $n);

is($ivan->api('POST', "tickets/$n/close")->{json}{status}, 'closed', 'the customer accepts the solution');
$m = mail_of('ticket_closed', 'ivan@example.com', ticket => $n);
like($m->{text}, qr{\Q$base\Etickets/$n/rate\?t=[\w-]{43}}, 'the rating link in the closing mail');

is($ivan->api('POST', "tickets/$n/reopen", { body => 'Ошибка вернулась.' })->{status}, 200, 'and reopens it');
mail_of('ticket_reopened', 'ivan@example.com', ticket => $n);
mail_of('ticket_customer_reopened', 'agent@support.example', ticket => $n);

is($ivan->api('POST', "tickets/$n/close")->{json}{status}, 'cancelled_by_customer', 'then cancels it');
mail_of('ticket_cancelled', 'ivan@example.com', ticket => $n);

my $n2 = $t->ticket($ivan, subject => 'Второй вопрос');
mail_of('ticket_created', 'ivan@example.com', ticket => $n2);
$res = $admin->api('PATCH', "staff/tickets/$n2", { status => 'cancelled_by_staff', reason => 'Дубликат обращения.' });
is($res->{status}, 200, 'staff cancel a duplicate');
$m = mail_of('ticket_cancelled_staff', 'ivan@example.com', ticket => $n2);
like($m->{text}, qr/Дубликат обращения\./, 'with the reason');

# the timer's mail: an SLA running out, then auto-close (sweep --now writes
# the mail into the outbox; the running portal sends it)
my $n3 = $t->ticket($ivan, subject => 'Третий вопрос');
mail_of('ticket_created', 'ivan@example.com', ticket => $n3);
local $ENV{HELPDESK_URL} = $base;       # the CLI's links, as the portal's
my ($rc, $out) = $t->cli('sweep', '--now', '@' . (time + 30 * 86400));
is($rc, 0, 'a sweep a month later') or diag $out;
mail_of('ticket_sla_at_risk', 'agent@support.example', ticket => $n3);
mail_of('ticket_sla_breached', 'boss@support.example', ticket => $n3);

$t->staff_says($agent, $n3, 'solution', 'Готово.');
mail_of('ticket_solution', 'ivan@example.com', ticket => $n3);
($rc, $out) = $t->cli('sweep', '--now', '@' . (time + 60 * 86400));
is($rc, 0, 'the auto-close sweep') or diag $out;
$m = mail_of('ticket_autoclosed', 'ivan@example.com', ticket => $n3);
like($m->{text}, qr/закрыто автоматически/, 'it says why');

# --- the account's own mail ---------------------------------------------

my $anon = $t->client;
$res = $anon->api('POST', 'password/forgot', { email => 'ivan@example.com' });
is($res->{status}, 202, 'a password reset is asked for');
$m = mail_of('password_reset', 'ivan@example.com');
($token) = $m->{text} =~ m{password/reset\?token=([\w-]{43})};
$res = $anon->api('POST', 'password/reset', { token => $token, password => 'новый пароль ивана 1' });
is($res->{status}, 200, 'the link from the mail sets a new password');
mail_of('password_changed', 'ivan@example.com');
$ivan->login('ivan', 'новый пароль ивана 1');

$res = $ivan->api('POST', 'me/email', { email => 'ivan.petrov@example.com' });
is($res->{status}, 202, 'an address change');
$m = mail_of('email_change', 'ivan.petrov@example.com');
mail_of('email_change_notice', 'ivan@example.com');
($token) = $m->{text} =~ m{email/confirm\?token=([\w-]{43})};
is($ivan->api('POST', 'email/confirm', { token => $token })->{status}, 200,
   'the link at the new address confirms it');
is($ivan->api('GET', 'me')->{json}{email}, 'ivan.petrov@example.com', 'mail goes there from now on');

# --- a company ------------------------------------------------------------

is($ivan->api('POST', 'company', { name => 'ООО «Ромашка»' })->{status}, 201, 'a company');
my $maria = $t->invite($ivan, 'maria', name => 'Мария Иванова');
mail_of('company_invitation', 'maria@example.com');
is($maria->{join}{status}, 200, 'the invitation from the mail works');
mail_of('company_member_added', 'ivan.petrov@example.com');
is($maria->api('DELETE', "company/members/$maria->{id}")->{status}, 204, 'she leaves');
mail_of('company_member_removed', 'ivan.petrov@example.com');
mail_of('company_left', 'maria@example.com');
my $petr = $t->invite($ivan, 'petr', name => 'Пётр');
is($ivan->api('DELETE', 'company')->{status}, 200, 'the owner deletes the company');
mail_of('company_deleted', 'petr@example.com');

my @kinds = qw(account_confirm ticket_created ticket_staff_reply ticket_info_request ticket_reply
               ticket_customer_reply ticket_assigned ticket_solution ticket_closed ticket_reopened
               ticket_customer_reopened ticket_cancelled ticket_cancelled_staff ticket_sla_at_risk
               ticket_sla_breached ticket_autoclosed password_reset password_changed email_change
               email_change_notice company_invitation company_member_added company_member_removed
               company_left company_deleted);
is_deeply([grep { !$kinds_seen{$_} } @kinds], [], 'every kind of mail was seen arriving');

# --- nothing a user types adds a header or a recipient ---------------------

$res = $t->client->api('POST', 'accounts', { email => 'eve@example.com', login => 'eve',
                                             password => 'eve password 123',
                                             name => "Eve\r\nBcc: victim\@example.org" });
is($res->{status}, 422, 'a name with a line break is refused');

$res = $ivan->api('POST', 'tickets', { subject => "Hello\r\nBcc: victim\@example.org",
                                       description => 'x', category => 'technical',
                                       type => 'bug', severity => 3 });
if ($res->{status} == 201) {
    my $mail = mail_of('ticket_created', 'ivan.petrov@example.com', ticket => $res->{json}{number});
    ok(!exists $mail->{headers}{bcc}, 'a subject with a line break adds no header');
} else {
    is($res->{status}, 422, 'a subject with a line break is refused');
}

my $n4 = $t->ticket($ivan, subject => 'SMTP');
$t->staff_says($admin, $n4, 'reply', "Line one\r\n.\r\nRCPT TO:<victim\@example.org>\r\nQUIT\r\n.\r\nend");
$m = mail_of('ticket_staff_reply', 'ivan.petrov@example.com', ticket => $n4);
like($m->{text}, qr/Line one\r?\n\.\r?\nRCPT TO:<victim\@example\.org>\r?\nQUIT\r?\n\.\r?\nend/,
     'a lone dot and SMTP words in a message arrive as text');
ok(!grep({ grep { /victim/ } @{ $_->{rcpt_tos} } } $relay->messages), 'and nothing went to anyone else');

# every delivery took the relay's 250 with it
my @sent = grep { $_->{state} eq 'sent' } $t->outbox;
ok(@sent > 30, scalar(@sent) . ' mails sent');
my $show = $t->mail($sent[0]{id});
like($show->{answer}, qr/^250 2\.0\.0 Ok: queued as \d+/, 'the relay\'s answer is kept with each');

$t->finish;
done_testing;
