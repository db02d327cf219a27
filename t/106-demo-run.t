# The README's first command as a newcomer runs it on a fresh machine: as
# root, `./build.sh run` seeds the demo with the CLI (as root) in a data
# directory the unprivileged workers own, then serves it. Whatever the CLI
# made there belongs to the directory's owner, so a customer attaches a file
# through the page, the agent downloads it, and the log has no [alert].
# Also the CLI's other writers as root: kb import, sweep, restore.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX qw(setsid);
use Test::More;
use Time::HiRes qw(sleep time);
use Helpdesk::Test;
use Helpdesk::Client;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

plan skip_all => 'build.sh run gives the data to www-data only when run as root' if $> != 0;
plan skip_all => 'tests build.sh itself, not the sanitized module' if $ENV{HELPDESK_SANITIZED};
plan skip_all => 'no www-data user' unless getpwnam('www-data');

my $root = $Helpdesk::Test::ROOT;
my $base = tempdir('hd-demo-run-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $base;
my $data = "$base/data";

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0) or die $!;
    my $p = $s->sockport;
    close $s;
    return $p;
}

my $port = free_port();
my $mail_port = free_port();

# ./build.sh run in its own process group, as a person starts it
my $log = "$base/run.log";
my $pid = fork // die "fork: $!";
if ($pid == 0) {
    setsid();
    open STDOUT, '>', $log or die;
    open STDERR, '>&', \*STDOUT or die;
    $ENV{HELPDESK_PORT} = $port;
    $ENV{HELPDESK_MAIL_PORT} = $mail_port;
    $ENV{HELPDESK_DATA} = $data;
    exec "$root/build.sh", 'run' or die "exec: $!";
}

my $ua = Helpdesk::Client->new(base => "http://127.0.0.1:$port");
my $deadline = time + 300;
my $up;
while (time < $deadline) {
    last if waitpid($pid, POSIX::WNOHANG()) == $pid;
    $up = ($ua->get('')->{status} // 0) == 200 and last;
    sleep 0.5;
}
ok($up, './build.sh run serves the portal') or diag(Helpdesk::Test::read_file($log));

my $out = Helpdesk::Test::read_file($log);
my ($customer_pw) = $out =~ /customer\s+login customer\s+password (\S+)/;
my ($agent_pw) = $out =~ /login agent\s+password (\S+)/;
ok($customer_pw && $agent_pw, '... and prints the demo accounts');

my $owner = (stat $data)[4];
is($owner, scalar getpwnam('www-data'), 'the data directory belongs to www-data');
my @root_owned = grep { (lstat $_)[4] == 0 } split /\n/, `find '$data'`;
is_deeply(\@root_owned, [], '... and nothing the CLI made in it is root\'s');

# the customer attaches a file through the page
$ua->login('customer', $customer_pw);
my $form = $ua->get('tickets/new');
my ($csrf) = $form->{content} =~ /name="csrf" value="([^"]+)"/;
my $res = $ua->post_multipart('tickets/new',
    { csrf => $csrf, subject => 'Журнал ошибок', description => 'Прикладываю журнал установки.',
      category => 'technical', type => 'bug', severity => 3, certificate => '' },
    [[ 'attachments', 'install.log', "line 1\nline 2\n", 'text/plain' ]]);
is($res->{status}, 303, 'the customer sends a ticket with a file') or diag($res->{content});
my ($number) = ($res->{headers}{location} // '') =~ m{tickets/(\d+)};
ok($number, "... ticket $number");

my $agent = Helpdesk::Client->new(base => "http://127.0.0.1:$port");
$agent->login('agent', $agent_pw);
$res = $agent->api('GET', "staff/tickets/$number");
my ($file) = map { @{ $_->{attachments} } } @{ $res->{json}{messages} // [] };
ok($file, 'the agent sees the attachment');
$res = $agent->get($file->{url});
is($res->{status}, 200, '... and downloads it');
is($res->{content}, "line 1\nline 2\n", '... byte for byte');

# the CLI's other writers, as root, while nginx runs
my $cli = "$root/build/helpdesk";
mkdir "$base/kb";
Helpdesk::Test::write_file("$base/kb/article.md", "---\ntitle: Как продлить лицензию\nlanguage: ru\naudience: public\nstate: published\n---\nОткройте раздел «Сертификаты».\n");
system("$cli -d '$data' kb import '$base/kb' >/dev/null 2>&1");
is($? >> 8, 0, 'kb import as root');
system("$cli -d '$data' sweep --now \@" . int(time + 3 * 86400) . " >/dev/null 2>&1");
is($? >> 8, 0, 'sweep as root');
system("$cli -d '$data' backup '$base/backup' >/dev/null 2>&1");
is($? >> 8, 0, 'backup as root');
@root_owned = grep { (lstat $_)[4] == 0 } split /\n/, `find '$data'`;
is_deeply(\@root_owned, [], 'what they made in the data directory is www-data\'s');

$res = $ua->post_multipart("tickets/$number/reply",
    { csrf => $csrf, body => 'И ещё один файл.' }, [[ 'attachments', 'second.log', "more\n", 'text/plain' ]]);
is($res->{status}, 303, 'an upload after them still works');

kill 'TERM', -$pid;
waitpid $pid, 0;

$out = Helpdesk::Test::read_file($log);
unlike($out, qr/\[(alert|emerg)\]/, 'no [alert] in the log') or diag(join "\n", grep { /\[(alert|emerg)\]/ } split /\n/, $out);
unlike($out, qr/Permission denied/, '... and no "Permission denied"');

done_testing;
