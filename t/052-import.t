# Importing certificates from CSV (SPEC §4): the whole file is checked first;
# a file with bad lines imports nothing and names each line; a good file of
# 10,000 goes in at once.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(time);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(name => 'Сертификат на ТП (1 год)');
$hd->issue($type, '--number', 'TAKEN-1');

my $bad = $hd->dir . '/bad.csv';
Helpdesk::Test::write_file($bad, join '',
    "number,code,type,valid_from,valid_until\n",
    "GOOD-1,CODE1,$type,2026-01-01,2026-12-31\n",
    "GOOD-2,,Сертификат на ТП (1 год),2026-01-01,2026-12-31\n",
    "BAD-TYPE,,999,2026-01-01,2026-12-31\n",
    "BAD-DATE,,$type,2026-02-30,2026-12-31\n",
    "BAD-ORDER,,$type,2026-06-01,2026-01-01\n",
    "taken-1,,$type,2026-01-01,2026-12-31\n",
    "good-1,,$type,2026-01-01,2026-12-31\n",
    "\"QUOTED, WITH COMMA\",,$type,2026-01-01,2026-12-31\n",
    "SHORT,,$type\n");
my ($rc, $out) = $hd->cli('certs', 'import', $bad);
isnt($rc, 0, 'a file with bad lines is refused');
like($out, qr/^line 4: unknown certificate type "999"$/m, '... naming an unknown type with its line');
like($out, qr/^line 5: bad valid_from "2026-02-30"/m, '... a date that does not exist');
like($out, qr/^line 6: valid_until is before valid_from$/m, '... dates in the wrong order');
like($out, qr/^line 7: the number "taken-1" is already issued$/m, '... a number already issued (in another case)');
like($out, qr/^line 8: the number "good-1" is given twice \(also line 2\)$/m, '... a number given twice in the file');
like($out, qr/^line 10: 3 fields, not 5$/m, '... a short line');
unlike($out, qr/line 9/, 'a quoted number with a comma is fine');
like($out, qr/6 bad lines: nothing imported/, 'and says nothing was imported');
($rc, $out) = $hd->cli('certs', 'list');
is(scalar(() = $out =~ /^\S/mg), 1, '... and indeed only the one issued before is there');

Helpdesk::Test::write_file("$bad.2", "num,code\nX,Y\n");
($rc, $out) = $hd->cli('certs', 'import', "$bad.2");
like($out, qr/line 1: the header must be number,code,type,valid_from,valid_until/, 'a wrong header is named');

# a good file of 10,000
my $good = $hd->dir . '/good.csv';
open my $fh, '>', $good or die;
print $fh "\xef\xbb\xbfnumber,code,type,valid_from,valid_until\r\n";   # as a spreadsheet saves it
printf $fh "TP-%06d,C%06dX,%d,2026-01-01,2026-12-31\r\n", $_, $_, $type for 1 .. 10000;
close $fh;
my $t0 = time;
($rc, $out) = $hd->cli('certs', 'import', $good);
my $took = time - $t0;
is($rc, 0, 'a good file of 10,000 certificates imports') or diag($out);
like($out, qr/imported 10000 certificates/, sprintf('... all of them (%.2f s)', $took));

($rc, $out) = $hd->cli('check');
like($out, qr/^certificates\s+10001$/m, 'the database has them');
like($out, qr/^cert_by_number\s+10001$/m, '... each number indexed');
like($out, qr/^consistent$/m, '... consistently');

# an imported certificate registers with its code
my $ua = $hd->user('importer');
my $res = $ua->api('POST', 'certificates', { number => 'TP-004242', code => 'c004242x' });
is($res->{status}, 201, 'an imported certificate registers with its code (in any case)');

# importing the same file again: every number is taken, nothing changes
($rc, $out) = $hd->cli('certs', 'import', $good);
like($out, qr/10000 bad lines: nothing imported/, 'the same file again is refused, line by line');

$hd->finish;

done_testing;
