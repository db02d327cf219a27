# The tickets' search index in segments (issue 15): messages are written as
# fresh records, merged into segments by their writers while small and by
# the timer's lease holder when big. A portal whose index the timer merged
# finds what the same messages merged by the generator find, and says so in
# its log.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use URI::Escape qw(uri_escape_utf8);
use File::Temp qw(tempdir);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $gen = "$Helpdesk::Test::BUILD/gen-tickets";
my $probe = "$Helpdesk::Test::BUILD/search-probe";
plan skip_all => "$gen is missing: run ./build.sh" unless -x $gen && -x $probe;
my $words = "$Helpdesk::Test::ROOT/bench/words.txt";

my @queries = ("сертификата", "ошибка установки драйвера", "0x8009004e", "сертефикат");

# the same messages, merged by the generator as the timer would: what each
# query finds
my $ref = tempdir(CLEANUP => 1);
is(system("$Helpdesk::Test::BUILD/helpdesk", '-d', $ref, '-m', '1g', 'init') >> 8, 0, 'a data directory for the reference');
is(system($gen, '-d', $ref, '-n', 2000, '-m', 5, '-w', $words, '-D', 1, '-s', 11) >> 8, 0,
   'the reference: 10,000 messages, merged at the end');
my %want;
for my $q (@queries) {
    my $out = `$probe -d $ref -n 1 '$q'`;
    ($want{$q}) = $out =~ /(\d+) found/;
    ok(defined $want{$q}, "the reference answers \"$q\"");
}
ok($want{$queries[0]} > 100, '... a common word in many tickets');

my $hd = Helpdesk::Test->new(map => '1g', log_level => 'info',
                             http => 'helpdesk_timer interval=200ms;')->start;
my $chief = $hd->staff('chief', 'manager');

# written while the portal runs, the big segments left to its timer
is(system($gen, '-d', $hd->data, '-n', 2000, '-m', 5, '-w', $words, '-D', 1, '-s', 11, '-S') >> 8, 0,
   'the same 10,000 messages into the portal, the merging left to it');

my $merged = 0;
for (1 .. 150) {
    $merged = () = $hd->error_log =~ /helpdesk timer: four search segments merged in \d+ us/g;
    last if $merged;
    select(undef, undef, undef, 0.2);
}
ok($merged >= 1, "the timer merged four segments, and its log says so") or diag($hd->error_log);

for my $q (@queries) {
    my $res = $chief->api('GET', 'staff/search?q=' . uri_escape_utf8($q));
    is($res->{json}{total}, $want{$q}, "\"$q\": as many tickets found as in the reference ($want{$q})");
}

# a message written now is found at once, fresh
my $anna = $hd->user('anna');
my $n = $hd->ticket($anna, subject => 'Совсем новое', description => 'Слово лазоревый только здесь');
my $res = $chief->api('GET', 'staff/search?q=' . uri_escape_utf8('лазоревый'));
is_deeply([ map { $_->{number} } @{ $res->{json}{tickets} } ], [$n], 'a new message found at once');

$hd->stop;
my ($rc, $out) = $hd->cli('check', '--quick');
is($rc, 0, 'the data directory checks out after the merges') or diag($out);

$hd->finish;
done_testing;
