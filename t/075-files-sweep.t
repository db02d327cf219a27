# The attachment store swept (issue 18): partial uploads a crash left in tmp/
# older than a day and stored files nothing refers to older than a week are
# removed by the timer (hourly, at the first tick) and by `helpdesk sweep`,
# counted in the metrics; a file an attachment refers to is never removed,
# however old, and content uploaded again is touched so that it is kept.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Digest::SHA qw(sha256_hex);
use File::Path qw(make_path);
use Time::HiRes qw(sleep);
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new(server => <<'EOF')->start;
        location = /metrics {
            helpdesk_metrics;
        }
EOF
my $files = $hd->data . '/files';
my $day = 86400;

sub path_of { my ($sha) = @_; "$files/" . substr($sha, 0, 2) . "/$sha" }

# what the workers write is theirs (they run as www-data when we are root)
my @owner = do {
    my $user = Helpdesk::Test::worker_user();
    $user ? (getpwnam $user)[2, 3] : ($>, $));
};

# a stored file with no record, of a given age, as a crash leaves one
sub plant {
    my ($content, $age) = @_;
    my $sha = sha256_hex($content);
    my $dir = "$files/" . substr($sha, 0, 2);
    make_path($dir);
    Helpdesk::Test::write_file(path_of($sha), $content);
    chown @owner, $dir, path_of($sha);
    utime time - $age, time - $age, path_of($sha);
    return $sha;
}

sub tmp_file {
    my ($name, $age) = @_;
    Helpdesk::Test::write_file("$files/tmp/$name", "partial upload\n");
    chown @owner, "$files/tmp/$name";
    utime time - $age, time - $age, "$files/tmp/$name";
    return "$files/tmp/$name";
}

my $ua = $hd->user('ann');
my $kept = "the customer's log file\n" x 20;
my $n = $hd->ticket($ua);
my $res = $ua->post_multipart("tickets/$n/messages", { body => 'the log' },
    [ [ 'attachments', 'trace.log', $kept, 'text/plain' ] ], api => 1);
is($res->{status}, 201, 'an attachment stored') or diag($res->{content});
my $kept_sha = sha256_hex($kept);
ok(-f path_of($kept_sha), '... in the store');
utime time - 30 * $day, time - 30 * $day, path_of($kept_sha);

my $old_orphan = plant("nobody refers to me\n", 8 * $day);
my $young_orphan = plant("a crash a day ago\n", 1 * $day);
my $again = plant("uploaded again later\n", 9 * $day);
my $old_tmp = tmp_file('upload-old', 2 * $day);
my $young_tmp = tmp_file('upload-young', 3600);

# the same content as an old orphan is uploaded: it is touched and referred to
$res = $ua->post_multipart("tickets/$n/messages", { body => 'again' },
    [ [ 'attachments', 'again.txt', "uploaded again later\n", 'text/plain' ] ], api => 1);
is($res->{status}, 201, 'content the store holds as an old orphan is uploaded again');
cmp_ok((stat path_of($again))[9], '>', time - 600, '... and the stored file is touched, not copied');

my ($rc, $out) = $hd->cli('sweep', '--now', '@' . time);
is($rc, 0, 'helpdesk sweep') or diag($out);
like($out, qr/^files_tmp_removed 1$/m, '... removes the one partial upload older than a day');
like($out, qr/^files_orphans_removed 1$/m, '... and the one orphan older than a week');
ok(!-e path_of($old_orphan), 'the old orphan is gone');
ok(-e path_of($young_orphan), 'an orphan of a day is kept (a week is the rule)');
ok(-e path_of($kept_sha), 'a month-old file an attachment refers to is kept');
ok(-e path_of($again), 'the re-uploaded one is kept');
ok(!-e $old_tmp, 'the two-day-old partial upload is gone');
ok(-e $young_tmp, 'an hour-old one is kept (it may be an upload in progress)');
opendir my $d, "$files/tmp" or die;
is_deeply([ grep { /^\.orphan-/ } readdir $d ], [], 'nothing is left set aside in tmp/');
closedir $d;

($rc, $out) = $hd->cli('check');
is($rc, 0, 'the store checks consistent afterwards') or diag($out);
like($out, qr/^orphans: 1 stored files nothing refers to$/m, '... with the young orphan reported');

# the attachments are still served
$res = $ua->api('GET', "tickets/$n");
my @atts = map { @{ $_->{attachments} } } @{ $res->{json}{messages} };
is(scalar @atts, 2, 'both attachments are listed');
for my $a (@atts) {
    my $file = $ua->get($a->{url});
    is($file->{status}, 200, "... and $a->{name} is served");
}

# --- the timer does it by itself, once it holds the lease ---

$hd->stop;
my $orphan2 = plant("another old orphan\n", 10 * $day);
my $tmp2 = tmp_file('upload-crashed', 3 * $day);
$hd->start;

my $seen = 0;
for (1 .. 100) {
    if ($hd->error_log =~ /helpdesk timer: the attachment store: 1 partial uploads older than a day and 1 files nothing refers to older than a week removed/) {
        $seen = 1;
        last;
    }
    sleep 0.1;
}
ok($seen, 'the timer sweeps the store at its first tick and logs what it removed') or diag($hd->error_log);
ok(!-e path_of($orphan2) && !-e $tmp2, '... both are gone');
ok(-e path_of($young_orphan) && -e path_of($kept_sha), '... the rest is not');

$res = $hd->client->get('/metrics');
like($res->{content}, qr/^helpdesk_files_swept_total\{kind="tmp"\} 2$/m,
     'the metrics count the partial uploads removed, across the restart');
like($res->{content}, qr/^helpdesk_files_swept_total\{kind="orphan"\} 2$/m, '... and the orphans');

$hd->finish;

done_testing;
