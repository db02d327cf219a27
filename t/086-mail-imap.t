# The mailbox the portal reads itself (SPEC §7.2): helpdesk_imap against a
# real Dovecot over TLS. Each message goes through the same pipeline as the
# mail gate and is marked done only after its transaction committed: a mark
# that got lost reads the message again as a duplicate, a crash (kill -9 of
# every nginx process) loses nothing and makes nothing twice, and a server
# that is down or refuses the password is said once in the log and read
# when it is back.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time sleep);
use Helpdesk::Test;
use Helpdesk::Smtp;
use Helpdesk::Imap;
use Helpdesk::Mailin;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
my $dir = $t->dir;
my $relay = Helpdesk::Smtp->start(dir => "$dir/relay");
my $imap = Helpdesk::Imap->start(dir => "$dir/imap");

Helpdesk::Test::write_file("$dir/imap.password", $imap->password . "\n");
chmod 0600, "$dir/imap.password";

sub http {
    my (%o) = @_;
    return 'helpdesk_smtp 127.0.0.1:' . $relay->port . " from=support\@example.com timeout=5s retry=1s;\n"
         . '    helpdesk_imap ' . $imap->url . " user=support password_file=" . ($o{password} // "$dir/imap.password")
         . ' interval=1s timeout=10s ca=' . $imap->cert . ($o{done} ? " done=$o{done}" : '') . ";\n"
         . '    helpdesk_url http://127.0.0.1:' . $t->port . '/;';
}

$t->{http} = http();
$t->start;
like($t->error_log, qr/helpdesk: the mailbox imaps:\/\/127\.0\.0\.1:\d+\/INBOX is read every 1000 ms/,
     'the start says which mailbox is read');

my $admin = $t->staff('boss', 'administrator');
my $maria = $t->user('maria', email => 'maria@example.org');

sub done_count { $imap->count('keyword', '$HelpdeskDone') }

# waits until the mailbox has n messages marked done
sub wait_done {
    my ($n, $timeout) = @_;
    my $deadline = time + ($timeout // 30);
    my $done;
    while (time < $deadline) {
        $done = done_count();
        return $done if $done >= $n;
        sleep 0.2;
    }
    return $done;
}

# the whole log of what came in, every page
sub log_of {
    my @all;
    for (my $page = 1; ; $page++) {
        my $j = $admin->api('GET', "admin/mail?per_page=200&page=$page")->{json};
        push @all, @{ $j->{log} // [] };
        last if $page * 200 >= ($j->{total} // 0);
    }
    return @all;
}

# --- three messages, three outcomes ----------------------------------------------

$imap->deliver(Helpdesk::Mailin::message(from => 'Мария <maria@example.org>', subject => 'Лицензия не активируется',
                                         id => 'm1@example.org', body => 'Код активации не подходит.'));
$imap->deliver(Helpdesk::Mailin::message(from => 'newbie@client.example', id => 'm2@example.org', body => 'Без темы'));
is(wait_done(2), 2, 'both messages are read and marked done');
is($imap->count('all'), 2, '... and kept in the mailbox (done=keyword)');

my @log = log_of();
my ($new) = grep { $_->{message_id} eq 'm1@example.org' } @log;
is($new->{action}, 'created', 'the first is a new ticket');
is($new->{source}, 'imap', '... read from the mailbox');
my $n = $new->{ticket};
my $res = $maria->api('GET', "tickets/$n");
is($res->{json}{subject}, 'Лицензия не активируется', '... its sender sees it');
is($res->{json}{channel}, 'email', '... channel email');
ok(scalar $relay->wait_for(to => 'maria@example.org', subject => qr/^\[#$n\]/), '... and got the confirmation');

my ($nosub) = grep { $_->{message_id} eq 'm2@example.org' } @log;
is($nosub->{reason}, 'empty_subject', 'the second, without a subject, is refused');
ok(scalar $relay->wait_for(to => 'newbie@client.example', subject => qr/нет темы/), '... its sender is told why');

# a reply, by [#N]
$imap->deliver(Helpdesk::Mailin::message(from => 'maria@example.org', subject => "Re: [#$n] Лицензия",
                                         id => 'm3@example.org', body => "Вот скриншот.\n\n> старое"));
is(wait_done(3), 3, 'a reply is read');
$res = $maria->api('GET', "tickets/$n");
my ($said) = grep { $_->{kind} ne 'event' } reverse @{ $res->{json}{messages} };
is($said->{body}, 'Вот скриншот.', '... and added to the ticket, its new words only');

# --- a mark that got lost: the message is read again as a duplicate -------------

my ($uid) = map { /(\d+)\s*$/ } $imap->doveadm('search', '-u', 'support', 'mailbox', 'INBOX', 'header', 'Message-ID', 'm1@example.org');
$imap->doveadm('flags', 'remove', '-u', 'support', '$HelpdeskDone', 'mailbox', 'INBOX', 'uid', $uid);
is(done_count(), 2, 'the first message\'s mark is taken away (as a crash after the commit would)');
is(wait_done(3), 3, 'it is read again and marked');
my @dups = grep { $_->{message_id} eq 'm1@example.org' } log_of();
is_deeply([sort map { $_->{action} } @dups], ['created', 'duplicate'], '... a duplicate the second time');
is((grep { $_->{action} eq 'duplicate' } @dups)[0]{ticket}, $n, '... of the one ticket it made');

# --- a crash in the middle of a long mailbox ------------------------------------

my $many = 300;
$imap->deliver(Helpdesk::Mailin::message(from => "sender$_\@client.example", subject => "Вопрос номер $_",
                                         id => "bulk$_\@client.example", body => "Текст $_"))
    for 1 .. $many;
my $deadline = time + 20;
sleep 0.05 while done_count() < 3 + 20 && time < $deadline;
my $before = done_count();
$t->crash;
ok($before > 3 && $before < 3 + $many, "every nginx process is killed (-9) while the mailbox is read ($before done)");
$t->start;
is(wait_done(3 + $many, 60), 3 + $many, 'after the restart every message is read');
my %tickets;
for (grep { $_->{message_id} =~ /^bulk/ } log_of()) {
    $tickets{$_->{message_id}}{$_->{action}}++;
}
is(scalar(keys %tickets), $many, 'each of the messages came in');
is(scalar(grep { ($_->{created} // 0) == 1 } values %tickets), $many, '... and each made exactly one ticket');
unlike($t->error_log, qr/\[error\].*helpdesk mailbox /,
       '... and no error was said: a connection told of the marks another made is not taken for a failure');

# --- the server away, then back --------------------------------------------------

$imap->stop;
$deadline = time + 20;
sleep 0.2 while $t->error_log !~ /\[error\].*helpdesk mailbox / && time < $deadline;
like($t->error_log, qr/\[error\].*helpdesk mailbox imaps:\/\/127\.0\.0\.1:\d+\/INBOX: (searching the mailbox|fetching|connecting): /,
     'a server that is down is said in the log');
my $said_down = () = $t->error_log =~ /\[error\].*helpdesk mailbox /g;
sleep 3;
is(scalar(() = $t->error_log =~ /\[error\].*helpdesk mailbox /g), $said_down, '... once, not every second');
$imap->deliver(Helpdesk::Mailin::message(from => 'maria@example.org', subject => 'Пока сервер лежал',
                                         id => 'm4@example.org', body => 'Текст'));
$imap->start;
is(wait_done(4 + $many), 4 + $many, 'once it is back, what came meanwhile is read');

# --- a wrong password -------------------------------------------------------------

Helpdesk::Test::write_file("$dir/wrong.password", "nope\n");
chmod 0600, "$dir/wrong.password";
$t->{http} = http(password => "$dir/wrong.password");
$t->reload;
$imap->deliver(Helpdesk::Mailin::message(from => 'maria@example.org', subject => 'С неверным паролем',
                                         id => 'm5@example.org', body => 'Текст'));
$deadline = time + 30;
sleep 0.2 while $t->error_log !~ /helpdesk mailbox .*Login denied/ && time < $deadline;
like($t->error_log, qr/\[error\].*helpdesk mailbox imaps:\S+: searching the mailbox: Login denied/,
     'a refused password is said in the log');
is(done_count(), 4 + $many, '... nothing is read meanwhile, nothing lost');

# --- done=delete: the mailbox is emptied of what was taken ------------------------

$t->{http} = http(done => 'delete');
$t->reload;
$deadline = time + 30;
sleep 0.2 while $imap->count('all') > 0 && time < $deadline;
is($imap->count('all'), 0, 'done=delete: every message is gone from the mailbox once taken');
my ($m5) = grep { $_->{message_id} eq 'm5@example.org' } log_of();
is($m5->{action}, 'created', '... the one that waited is taken');
is(scalar(grep { $_->{action} eq 'created' } log_of()), 3 + $many,
   '... and the ones read before only as duplicates: no ticket twice');

$t->finish(allow => qr/helpdesk mailbox/);
done_testing;
