# Storage (SPEC §10.2): the data directory made by nginx for its workers,
# the environment opened in each worker, check and backup while nginx runs,
# data kept across restart, reload and kill -9, a store that cannot open.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use POSIX qw(_exit);
use Test::More;
use Time::HiRes qw(sleep);
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;
my $data = $hd->data;

ok(-d $data, 'nginx created the data directory');
is((stat $data)[2] & 07777, 0700, '... private to its owner');
ok(-f "$data/data.mdb" && -f "$data/lock.mdb", 'the workers opened the LMDB environment');

if (my $user = Helpdesk::Test::worker_user()) {
    my $uid = getpwnam($user);
    is((stat $data)[4], $uid, "... owned by the workers' user $user");
    is((stat "$data/data.mdb")[4], $uid, '... and so is the database');
}

my $ua = $hd->client;
is($ua->get('/api/v1/status')->{json}{schema}, 4, 'the status reads the schema version');

my ($rc, $out) = $hd->cli('check');
is($rc, 0, 'helpdesk check while nginx runs') or diag($out);
like($out, qr/^consistent$/m, '... reports a consistent database');
like($out, qr/^schema version 4$/m, "... of schema version 4");

($rc, $out) = $hd->cli('stats');
my ($created) = $out =~ /^created\s+(.+)$/m;
ok($created, 'helpdesk stats tells when the data directory was created');

# a hot backup while requests go on
my $backup = $hd->dir . '/backup';
my $pid = fork // die;
if (!$pid) {
    my $c = $hd->client;
    $c->get('/api/v1/status') for 1 .. 300;
    _exit(0);
}
($rc, $out) = $hd->cli('backup', $backup);
is($rc, 0, 'helpdesk backup while nginx serves') or diag($out);
waitpid $pid, 0;
ok(-f "$backup/data.mdb", '... writes a database file');
($rc, $out) = Helpdesk::Test->new->cli_on($backup, 'check');
is($rc, 0, 'the backup checks consistent') or diag($out);
like($out, qr/^consistent$/m, '... as "consistent"');
($rc, $out) = $hd->cli('backup', $backup);
isnt($rc, 0, 'a backup never overwrites another');
like($out, qr/already holds a database/, '... and says so');

# restart and reload keep everything
$hd->stop->start;
($rc, $out) = $hd->cli('stats');
like($out, qr/^created\s+\Q$created\E$/m, 'after a restart the data directory is the same');
is($ua->get('/api/v1/status')->{status}, 200, '... and the portal serves');

$hd->reload;
is($ua->get('/api/v1/status')->{status}, 200, 'after a reload the portal serves');

# kill -9 of every nginx process during load
my @kids;
for (1 .. 4) {
    my $k = fork // die;
    if (!$k) {
        my $c = $hd->client(timeout => 2);
        for (1 .. 2000) {
            $c->get($_ % 2 ? '/api/v1/status' : '/');
        }
        _exit(0);
    }
    push @kids, $k;
}
sleep 1;
$hd->crash;
waitpid $_, 0 for @kids;

($rc, $out) = $hd->cli('check');
is($rc, 0, 'helpdesk check after kill -9 of all nginx processes under load') or diag($out);
like($out, qr/^consistent$/m, '... reports a consistent database');

$hd->start;
is($ua->get('/api/v1/status')->{status}, 200, 'nginx starts again on the same data');

# a worker killed while another lives leaves its reader slot behind: the
# worker the master starts in its place clears it when it opens the store
my %served;
for (1 .. 50) {
    my $c = $hd->client;
    $c->get('/api/v1/status');
}
my @readers = map { /^\s*(\d+)\s/ ? $1 : () } split /\n/, `mdb_stat -r $data`;
my @workers = $hd->worker_pids;
my ($victim) = grep { my $w = $_; grep { $_ == $w } @readers } @workers;
ok($victim, 'a worker holds a reader slot') or diag("readers @readers, workers @workers");
kill 'KILL', $victim;
$hd->wait_workers(2, [$victim]);
for (1 .. 50) {
    last if $hd->error_log =~ /cleared \d+ stale reader slots/;
    sleep 0.1;
}
like($hd->error_log, qr/helpdesk: cleared 1 stale reader slots left by dead processes/,
     'the worker started in place of a killed one clears its reader slot');
unlike(`mdb_stat -r $data`, qr/^\s*$victim\s/m, '... which is gone from the reader table');
is($ua->get('/api/v1/status')->{status}, 200, '... and the portal serves');
$hd->finish(allow => qr/worker process $victim exited on signal 9/);

# a store that cannot be opened: the workers stay up, answer 503, log why
my $broken = Helpdesk::Test->new;
mkdir $broken->data, 0755;
mkdir $broken->data . '/data.mdb', 0755;     # a directory where the file goes
chown scalar(getpwnam('www-data')), -1, $broken->data if Helpdesk::Test::worker_user();
$broken->start;
my $res = $broken->client->get('/api/v1/status');
is($res->{status}, 503, 'a store that cannot open answers 503');
is($res->{json}{error}{code}, 'storage_unavailable', '... with a clear error code');
is($broken->client->get('/static/app.css')->{status}, 200,
   '... while what needs no data (the stylesheet of that page) still serves');
like($broken->error_log, qr/\[alert\].*helpdesk: cannot open the data directory: .*data/,
     '... and the error log says why');
$broken->stop;

done_testing;
