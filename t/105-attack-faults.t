# Attacks by faults (SPEC §12; issue 19, the faults family): a disk that fails to sync, a reader table
# that is full, an attachment store out of space, no randomness. Each answers
# a clear 5xx, acknowledges nothing it did not keep, and the portal recovers
# when the fault goes. The faults come from t/lib/fault.c (LD_PRELOAD, a
# file per fault in a directory); the full disk is a real 1 MB tmpfs.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Find;
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $faults = tempdir('hd-faults-XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 01777, $faults;

sub fault_on  { open my $fh, '>', "$faults/$_[0]" or die; close $fh }
sub fault_off { unlink "$faults/$_[0]" }
sub fired     { -s "$faults/$_[0].fired" // 0 }

# the attachment store on a filesystem of its own, 1 MB: a real ENOSPC
my $small;
my $mount_dir = tempdir('hd-small-XXXXXX', TMPDIR => 1, CLEANUP => 1);
if ($> == 0 && system("mount -t tmpfs -o size=1m,mode=0755 tmpfs $mount_dir 2>/dev/null") == 0) {
    $small = $mount_dir;
    make_path("$small/files");
    my (undef, undef, $uid, $gid) = getpwnam(Helpdesk::Test::worker_user() // '');
    chown $uid, $gid, "$small/files" if defined $uid;
}
END { system("umount $mount_dir 2>/dev/null") if $small }

my $hd = Helpdesk::Test->new(
    faults => $faults,
    ($small ? (files => "$small/files") : ()),
    http => 'helpdesk_upload_limits file=4m message=5m count=3;'
          . ($small ? " helpdesk_files $small/files;" : ''),
)->start;

my $ua = $hd->user('ann');
my %ticket = (subject => 'Не подписывается документ', description => 'Ошибка 0x80090008',
              category => 'technical', type => 'bug', severity => 3);
is($ua->api('POST', 'tickets', \%ticket)->{status}, 201, 'a ticket before any fault');

sub total { $ua->api('GET', 'tickets')->{json}{total} }

# --- fsync fails: nothing is acknowledged that is not on disk ---

fault_on('fsync');
my $res = $ua->api('POST', 'tickets', { %ticket, subject => 'Во время сбоя диска' });
cmp_ok($res->{status}, '>=', 500, 'fsync failing with EIO: the new ticket is answered 5xx')
    or diag($res->{content});
ok(fired('fsync'), '... because the commit\'s fsync failed (the fault fired)');
like($res->{json}{error}{code} // '', qr/^(io|storage_\w+)$/, '... with an error of the store (io), not a crash')
    or diag($res->{content});
$res = $ua->api('POST', 'tickets', { %ticket, subject => 'Ещё одна во время сбоя' });
cmp_ok($res->{status}, '>=', 500, '... and so is the next one');
fault_off('fsync');

is(total(), 1, 'the disk recovers: only the ticket made before the fault exists');
$res = $ua->api('POST', 'tickets', { %ticket, subject => 'После сбоя' });
is($res->{status}, 201, '... and tickets are made again');

# after a crash, what the store holds is what was acknowledged
$hd->crash;
$hd->start;
$ua->login('ann', 'ann-password-1');
my $list = $ua->api('GET', 'tickets')->{json};
is($list->{total}, 2, 'after kill -9 and a start: the two acknowledged tickets, no more');
ok(!grep({ $_->{subject} =~ /сбоя диска|во время сбоя/ } @{ $list->{tickets} // [] }),
   '... none of those answered 5xx');
my ($rc, $out) = $hd->cli('check');
is($rc, 0, '... and `helpdesk check` finds the store consistent') or diag($out);

# --- the reader table is full ---

fault_on('readers');
$res = $ua->api('GET', 'me');
is($res->{status}, 503, 'MDB_READERS_FULL: a read is answered 503');
is($res->{json}{error}{code}, 'storage_busy', '... storage_busy');
ok(fired('readers'), '... because no reader slot was to be had (the fault fired)');
$res = $ua->get('/tickets');
is($res->{status}, 503, '... a page too');
fault_off('readers');
$res = $ua->api('GET', 'me');
is($res->{status}, 200, 'a slot is free again: the same read answers 200');
is($res->{json}{login}, 'ann', '... with the same session, which was not lost');

# --- no randomness: no session ---

fault_on('rand');
my $other = $hd->client;
$res = $other->api('POST', 'session', { login => 'ann', password => 'ann-password-1' });
cmp_ok($res->{status}, '>=', 500, 'RAND_bytes failing: a login is answered 5xx');
ok(fired('rand'), '... because the session token could not be made (the fault fired)');
ok(!grep({ /hd_session=[^;]+/ } @{ ref $res->{headers}{'set-cookie'} ? $res->{headers}{'set-cookie'}
                                     : [ $res->{headers}{'set-cookie'} // () ] }),
   '... and no session cookie is set');
fault_off('rand');
$res = $other->api('POST', 'session', { login => 'ann', password => 'ann-password-1' });
is($res->{status}, 200, 'randomness is back: the login succeeds');

# --- a table that cannot be read: no silent 500 (issue 30) ---

# each view that fails says why in the error log, once, with the ticket
my $boss = $hd->staff('boss');
my $number = $ua->api('GET', 'tickets')->{json}{tickets}[0]{number};
my $log_lines = sub { my ($re) = @_; scalar grep { /$re/ } split /\n/, $hd->error_log };
for my $case (
    [ 'read-messages', $ua, "tickets/$number", "/tickets/$number", qr/ticket $number: its messages cannot be read/ ],
    [ 'read-messages', $boss, "staff/tickets/$number", "/staff/tickets/$number", qr/ticket $number: its messages cannot be read/ ],
    [ 'read-audit', $boss, "staff/tickets/$number", "/staff/tickets/$number", qr/ticket $number: its audit cannot be read/ ],
) {
    my ($fault, $who, $api, $page, $why) = @$case;
    my $before = $log_lines->($why);
    fault_on($fault);
    $res = $who->api('GET', $api);
    is($res->{status}, 500, "$fault: GET /api/v1/$api is answered 500");
    is($res->{json}{error}{code}, 'io', '... io');
    $res = $who->get($page);
    is($res->{status}, 500, "... and its page $page too");
    fault_off($fault);
    ok(fired($fault), '... because the table could not be read (the fault fired)');
    is($log_lines->($why) - $before, 2, '... and the log says why, once an answer');
    is($who->api('GET', $api)->{status}, 200, '... and the same read answers 200 once it can be read');
}

# --- the attachment store is full ---

SKIP: {
    skip 'mounting a 1 MB tmpfs needs root (the tests ran unprivileged)', 6 unless $small;

    my $before = total();
    my $big = join '', map { chr(($_ * 31 + 7) % 256) } 1 .. (1536 * 1024);
    $res = $ua->post_multipart('tickets', \%ticket,
        [ [ 'attachments', 'дамп.bin', $big, 'application/octet-stream' ] ], api => 1);
    is($res->{status}, 507, 'a 1.5 MB file into a 1 MB store: 507') or diag($res->{content});
    is($res->{json}{error}{code}, 'storage_full', '... storage_full');
    is(total(), $before, '... and no ticket was made');

    my @left;
    find(sub { push @left, $File::Find::name if -f }, "$small/files");
    is(scalar @left, 0, '... and no partial file is left in the store') or diag("@left");

    $res = $ua->post_multipart('tickets', \%ticket,
        [ [ 'attachments', 'маленький.txt', "строка\n", 'text/plain' ] ], api => 1);
    is($res->{status}, 201, 'the space is there again: a small file is accepted');
    is(total(), $before + 1, '... and its ticket made');
}

$hd->finish(allow => qr/fsync|Input\/output error|storage is busy|readers|random|No space left|storage_full|could not|cannot|failed/i);

done_testing;
