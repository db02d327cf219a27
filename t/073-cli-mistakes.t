# The CLI cannot be misused quietly (issue 18): --help and --version answer
# and do nothing, a mistyped data directory is an error that creates
# nothing (only init makes a database).

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ":utf8" for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new;
$ENV{LANG} = $ENV{LC_ALL} = 'C.UTF-8';
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
$out = `LC_ALL=ru_RU.UTF-8 $bin -d $nowhere stats 2>&1`;
utf8::decode($out);
like($out, qr/в "\Q$nowhere\E" нет базы данных \(опечатка в -d\?\)/, '... said in Russian when the locale is Russian');

$out = `$bin -d $nowhere init 2>&1`;
is($? >> 8, 0, 'init makes it');
ok(-e "$nowhere/data.mdb", '... a database');
$out = `$bin -d $nowhere stats 2>&1`;
is($? >> 8, 0, 'then stats works');

# unknown options and bad values are errors naming them; nothing is stored
my @refused = (
    [ [qw(stats --verbose)], qr/stats: unexpected argument "--verbose"/ ],
    [ [qw(init extra)], qr/init: unexpected argument "extra"/ ],
    [ [qw(outbox list --limit 5x)], qr/--limit: not a valid number "5x"/ ],
    [ [qw(outbox list --limt 5)], qr/unknown option "--limt"/ ],
    [ [qw(products add X --bogus 1)], qr/products: unknown option "--bogus"/ ],
    [ [qw(products add X --versions)], qr/products: the option needs a value "--versions"/ ],
    [ [qw(products edit 1x --name Y)], qr/products edit: not a valid number "1x"/ ],
    [ [qw(cert-types add --name A --product P1 --term 12 --kind contract --limit 3 --level standard
          --premium z --department 1)], qr/--premium: not a valid number "z"/ ],
    [ [qw(cert-types add --name A --product P1 --term 12months)], qr/--term: not a valid number "12months"/ ],
    [ [qw(departments list x)], qr/departments list: unexpected argument "x"/ ],
    [ [qw(departments add Extra --feedback more)], qr/departments add: unexpected argument "more"/ ],
    [ [qw(companies list --all)], qr/companies list: unexpected argument "--all"/ ],
    [ [qw(certs issue --type 1 --count x)], qr/--count: not a valid number "x"/ ],
    [ [qw(certs issue --type 1 extra)], qr/certs issue: unexpected argument "extra"/ ],
    [ [qw(certs assign X --company 1z)], qr/--company: not a valid number "1z"/ ],
    [ [qw(sweep --now @1 --bogus)], qr/sweep: unknown option "--bogus"/ ],
    [ [qw(sweep --now)], qr/sweep: the option needs a value "--now"/ ],
    [ [qw(calendar show 2026 --frob)], qr/calendar show: unknown option "--frob"/ ],
);
(undef) = `$bin -d $nowhere products add P1 2>&1`;
for my $r (@refused) {
    my ($args, $says) = @$r;
    $out = `$bin -d $nowhere @$args 2>&1`;
    is($? >> 8, 2, "@$args: exit 2");
    like($out, $says, '... naming what is wrong');
}
$out = `$bin -d $nowhere cert-types list 2>&1`;
is($out, '', 'no certificate type was stored by the refused ones');
$out = `$bin -d $nowhere departments list 2>&1`;
unlike($out, qr/Extra/, '... nor a department');

done_testing;
