# Mail loops end (SPEC §7.2): two portals answering each other stop at the
# first automatic answer (Auto-Submitted is honoured both ways), and a robot
# that ignores it, answering every mail at once, gets at most 10 automatic
# answers in 3 hours from the portal, then silence. Real relays (aiosmtpd)
# hand each portal's mail to the other's gate as an MTA would.

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

my $key = 'loop-test-key-0123456789abcdef';

# a portal whose relay forwards what it takes to $forward (a gate URL)
sub portal {
    my ($name, $forward) = @_;
    my $t = Helpdesk::Test->new;
    my $dir = $t->dir;
    my $relay = Helpdesk::Smtp->start(dir => "$dir/relay",
        args => [$forward ? ('--forward-to', $forward, '--forward-key', $key) : ()]);
    Helpdesk::Test::write_file("$dir/gate.key", "$key\n");
    chmod 0600, "$dir/gate.key";
    $t->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . " from=support\@$name.example timeout=5s retry=1s;\n"
               . "    helpdesk_mailgate_key file=$dir/gate.key;\n"
               . '    helpdesk_url http://127.0.0.1:' . $t->port . '/;';
    return ($t, $relay);
}

sub created {
    my ($t) = @_;
    my $admin = $t->{admin_client};
    my $log = $admin->api('GET', 'admin/mail?per_page=200')->{json}{log};
    return scalar grep { $_->{action} eq 'created' } @$log;
}

# waits until the relay has had no new mail for a while: what it has
sub settled {
    my ($relay, $quiet) = @_;
    my ($n, $since) = (-1, time);
    my $deadline = time + 60;
    while (time < $deadline) {
        my $now = () = $relay->messages;
        if ($now != $n) { ($n, $since) = ($now, time) }
        last if time - $since > $quiet;
        sleep 0.2;
    }
    return $n;
}

# --- two portals answering each other ------------------------------------------

# B's gate is known before A starts: B's port is chosen at new()
my ($b, $relay_b);
my ($a, $relay_a) = portal('portal-a', undef);
($b, $relay_b) = portal('portal-b', $a->url('/api/v1/mailgate'));
# A's relay forwards to B: A is configured again with it
$relay_a->stop;
$relay_a = Helpdesk::Smtp->start(dir => $a->dir . '/relay', port => $relay_a->port,
                                 args => ['--forward-to', $b->url('/api/v1/mailgate'), '--forward-key', $key]);
$a->start;
$b->start;
$a->{admin_client} = $a->staff('boss', 'administrator');
$b->{admin_client} = $b->staff('boss', 'administrator');

# somebody at portal B's support writes to portal A
my $gate_a = Helpdesk::Mailin->new(dir => $a->dir, url => $a->url('/api/v1/mailgate'),
                                   key => $key, key_file => $a->dir . '/gate.key');
my $r = $gate_a->pipe(Helpdesk::Mailin::message(from => 'Поддержка Б <support@portal-b.example>',
                                                subject => 'Вопрос от коллег', body => 'Добрый день!'));
is($r->{action}, 'created', 'portal A takes a request from portal B\'s address');

my $na = settled($relay_a, 3);
my $nb = settled($relay_b, 3);
is($na, 1, "portal A sent one mail (its confirmation)");
is($nb, 0, 'portal B sent nothing back: the confirmation was automatic');
is(created($b), 1, 'portal B registered it as a ticket, quietly');
is(created($a), 1, 'portal A has its one ticket');
my @fwd = split /\n/, Helpdesk::Test::read_file($a->dir . '/relay/forwarded.log');
like($fwd[0], qr/"action":"created"/, 'the forward reached B\'s gate');

$a->finish;
$b->finish;

# --- a robot that answers everything, ignoring Auto-Submitted --------------------

my ($t, $relay) = portal('portal-c', undef);
$t->start;
$t->{admin_client} = $t->staff('boss', 'administrator');
my $gate = Helpdesk::Mailin->new(dir => $t->dir, url => $t->url('/api/v1/mailgate'),
                                 key => $key, key_file => $t->dir . '/gate.key');

# the robot answers each mail to it with an empty-subject mail of its own
sub robot {
    my ($address, %o) = @_;
    my %answered;
    my $sent = 0;
    my $r = $gate->post(Helpdesk::Mailin::message(from => $address, subject => $o{subject}, body => 'ping'));
    $sent++;
    my $deadline = time + 60;
    my $quiet = time;
    while (time < $deadline && time - $quiet < 3) {
        for my $m ($relay->wait_for(to => $address, count => 1000, timeout => 0.3)) {
            next if $answered{$m->{n}}++;
            $quiet = time;
            $gate->post(Helpdesk::Mailin::message(from => $address, subject => $o{subject}, body => 'pong',
                ($o{thread} ? (in_reply_to => substr($m->{'message-id'}, 1, -1)) : ())));
            $sent++;
        }
    }
    return ($sent, scalar keys %answered);
}

my ($sent, $got) = robot('robot@bots.example');
is($got, 10, 'a robot writing without a subject gets exactly 10 explanations');
is($sent, 11, '... answers each, and the 11th goes unanswered: the loop ends');

# a robot with a subject makes tickets; their confirmations count alike
($sent, $got) = robot('robot2@bots.example', subject => 'Автоматическое уведомление', thread => 1);
is($got, 1, 'a robot answering in the thread gets one confirmation');
is($sent, 2, '... its answer is a reply on the ticket, and nobody mails it a copy of its own words');

($sent, $got) = robot('robot3@bots.example', subject => 'Автоматическое уведомление');
is($got, 10, 'a robot opening tickets gets 10 confirmations, then none');
is($sent, 11, '... the loop ends there too');
my $log = $t->{admin_client}->api('GET', 'admin/mail?per_page=200')->{json}{log};
is(scalar(grep { $_->{from} eq 'robot3@bots.example' && $_->{action} eq 'created' } @$log), 11,
   '... though each of its messages is registered (nothing is lost)');

$t->finish;
done_testing;
