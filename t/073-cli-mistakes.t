# The CLI cannot be misused quietly (issue 18): --help and --version answer
# and do nothing, a mistyped data directory is an error that creates
# nothing (only init makes a database).

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new;
my $bin = "$Helpdesk::Test::BUILD/helpdesk";
my $nowhere = $hd->dir . '/mistyped';

my $out = `$bin --version 2>&1`;
is($? >> 8, 0, '--version: exit 0');
like($out, qr/^helpdesk \d+\.\d+\.\d+ \(database schema \d+\)$/, '... the version and the schema');

$out = `$bin --help 2>&1`;
is($? >> 8, 0, '--help: exit 0, where it was an error');
like($out, qr/^usage: helpdesk/, '... the usage');
like($out, qr/^\s+calendar\s+show YEAR/m, '... listing the commands');

for my $cmd (qw(stats outbox certs sweep)) {
    $out = `$bin -d $nowhere $cmd --help 2>&1`;
    is($? >> 8, 0, "$cmd --help: exit 0");
    like($out, qr/^usage: helpdesk \[-d DIR\] $cmd /, "... its own usage");
}
ok(!-e $nowhere, '... and none of them made a data directory');

for my $cmd ([qw(stats)], [qw(check)], [qw(outbox list)], [qw(certs list)]) {
    $out = `$bin -d $nowhere @$cmd 2>&1`;
    is($? >> 8, 2, "@$cmd on a directory with no database: exit 2");
    like($out, qr/there is no database in "\Q$nowhere\E" \(a mistyped -d\?\); `helpdesk -d \Q$nowhere\E init` creates one/,
         '... saying so and how to make one');
}
ok(!-e "$nowhere/data.mdb", '... and no database was created');

$out = `$bin -d $nowhere init 2>&1`;
is($? >> 8, 0, 'init makes it');
ok(-e "$nowhere/data.mdb", '... a database');
$out = `$bin -d $nowhere stats 2>&1`;
is($? >> 8, 0, 'then stats works');

done_testing;
