# The staff queue's filters, counts, orders and pages against a generated
# set of 5,000 tickets (bench/gen-tickets.c -q: seeded, written through the
# core with every index kept, and listed in a file): each answer of the API
# is compared with the same query computed here from that list.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use URI::Escape qw(uri_escape_utf8);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $gen = "$Helpdesk::Test::BUILD/gen-tickets";
plan skip_all => "$gen is missing: run ./build.sh" unless -x $gen;

my $hd = Helpdesk::Test->new->start;
for my $name ('Внедрение', 'Партнёры') {
    my ($rc, $out) = $hd->cli('departments', 'add', $name);
    die "departments add: $out" if $rc;
}

my $admin = $hd->staff('boss', 'administrator');
my $olga = $hd->staff('olga', 'agent', departments => '1,2');
my $ivan = $hd->staff('ivan', 'agent', departments => '4');
my $anna = $hd->staff('anna', 'manager', departments => '5');
# three customers in a row: the generated tickets' authors
my @customers = map { $hd->user("holder$_") } 1 .. 3;
is($customers[2]{id} - $customers[0]{id}, 2, 'the customers have consecutive ids');

my $list = $hd->dir . '/tickets.tsv';
my ($rc, $out) = (system($gen, '-d', $hd->data, '-q', '-n', 5000, '-D', 5,
                         '-o', join(',', $olga->{id}, $ivan->{id}, $anna->{id}),
                         '-s', 20261122, '-A', $customers[0]{id}, '-a', 3, '-l', $list), '');
is($rc, 0, 'gen-tickets wrote 5,000 tickets');

open my $fh, '<:encoding(UTF-8)', $list or die "$list: $!";
my @all;
while (<$fh>) {
    chomp;
    my %t;
    @t{qw(number department owner status priority sla due created updated author subject)} = split /\t/;
    push @all, \%t;
}
close $fh;
is(scalar @all, 5000, 'the list has every ticket');

my @priorities = qw(low normal elevated high urgent critical);
my %prio = map { $priorities[$_] => $_ } 0 .. $#priorities;
my @statuses = qw(new open awaiting_customer solved closed closed_no_info
                  cancelled_by_staff cancelled_by_customer);
my %unclosed = map { $_ => 1 } qw(new open awaiting_customer solved);

sub fold {
    my ($s) = @_;
    $s = lc $s;
    $s =~ tr/ё/е/;
    return grep { length } split /[^\p{L}\p{N}]+/, $s;
}

sub order {
    my ($sort, @t) = @_;
    # breached first, then at risk, then by priority and due time
    my %sla_rank = (breached => 0, at_risk => 1, ok => 2);
    return sort { $sla_rank{ $a->{sla} } <=> $sla_rank{ $b->{sla} }
                  || (5 - $prio{ $a->{priority} }) <=> (5 - $prio{ $b->{priority} })
                  || ($a->{due} || 2**64) <=> ($b->{due} || 2**64)
                  || $a->{number} <=> $b->{number} } @t if $sort eq 'priority';
    return sort { $b->{$sort} <=> $a->{$sort} || $b->{number} <=> $a->{number} } @t;
}

# the tickets a query of $who should give, in order
sub expect {
    my ($who, %q) = @_;
    my %deps = map { $_ => 1 } @{ $who->{departments} };
    my $status = $q{status} // 'unclosed';
    my %st = $status eq 'unclosed' ? %unclosed
           : $status eq 'resolved' ? map({ $_ => 1 } grep { !$unclosed{$_} } @statuses)
           : $status eq 'any' ? map({ $_ => 1 } @statuses)
           : map { $_ => 1 } split /,/, $status;
    my @words = fold($q{q} // '');
    my @t = grep {
        my $t = $_;
        $deps{ $t->{department} }
        && (!$q{department} || $t->{department} == $q{department})
        && $st{ $t->{status} }
        && (!$q{queue} || $q{queue} eq 'all'
            || ($q{queue} eq 'mine' ? $t->{owner} == $who->{ua}{id} : $t->{owner} == 0))
        && (!defined $q{priority} || $t->{priority} eq $q{priority})
        && (!$q{sla} || $t->{sla} eq $q{sla})
        && (!$q{holder} || $t->{author} == $q{holder_id})
        && !grep { my $w = $_; !grep { index($_, $w) == 0 } fold($t->{subject}) } @words
    } @all;
    return order($q{sort} // 'priority', @t);
}

sub query_string {
    my (%q) = @_;
    return join '&', map { "$_=" . uri_escape_utf8($q{$_}) } grep { $_ ne 'holder_id' } sort keys %q;
}

my %who = (
    admin => { ua => $admin, departments => [1 .. 5] },
    olga  => { ua => $olga,  departments => [1, 2] },
    ivan  => { ua => $ivan,  departments => [4] },
    anna  => { ua => $anna,  departments => [1 .. 5] },    # a manager sees every department
);

# a query of $who through the API against the list: the total, the first
# page of 100 in order, the third page of 25
sub check_query {
    my ($name, %q) = @_;
    my $who = $who{$name};
    my @want = expect($who, %q);
    my $qs = query_string(%q);
    my $res = $who->{ua}->api('GET', "staff/tickets?$qs&per_page=100");
    is($res->{status}, 200, "$name $qs: 200") or return diag $res->{content};
    is($res->{json}{total}, scalar @want, "$name $qs: the total (" . scalar(@want) . ')');
    my $n = @want < 100 ? @want : 100;
    is_deeply([ map { $_->{number} } @{ $res->{json}{tickets} } ],
              [ map { $_->{number} + 0 } @want[0 .. $n - 1] ], "$name $qs: the first page in order");
    return $res unless @want > 50;
    my $page = $who->{ua}->api('GET', "staff/tickets?$qs&page=3&per_page=25");
    my $m = @want < 75 ? @want - 50 : 25;
    is_deeply([ map { $_->{number} } @{ $page->{json}{tickets} } ],
              [ map { $_->{number} + 0 } @want[50 .. 50 + $m - 1] ], "$name $qs: the third page of 25");
    return $res unless @want > 75;
    # the next page and the same page again start where a page ended (a
    # worker remembers that for the snapshot): the same tickets as counted
    $page = $who->{ua}->api('GET', "staff/tickets?$qs&page=4&per_page=25");
    $m = @want < 100 ? @want - 75 : 25;
    is_deeply([ map { $_->{number} } @{ $page->{json}{tickets} } ],
              [ map { $_->{number} + 0 } @want[75 .. 75 + $m - 1] ], "$name $qs: the fourth page of 25");
    $page = $who->{ua}->api('GET', "staff/tickets?$qs&page=3&per_page=25");
    is_deeply([ map { $_->{number} } @{ $page->{json}{tickets} } ],
              [ map { $_->{number} + 0 } @want[50 .. 74] ], "$name $qs: the third page again");
    return $res;
}

# every filter, alone and combined, for each role
for my $name (qw(admin olga ivan anna)) {
    check_query($name);
    check_query($name, queue => $_) for qw(mine unassigned);
    check_query($name, sort => $_) for qw(updated created);
    check_query($name, status => $_) for 'resolved', 'closed', 'any', 'awaiting_customer', 'new,open';
    check_query($name, priority => $_) for qw(critical low);
    check_query($name, sla => $_) for qw(breached at_risk);
}
check_query('admin', department => $_) for 1 .. 5;
check_query('admin', department => 3, queue => 'unassigned', sort => 'created');
check_query('admin', department => 2, status => 'any', priority => 'urgent', sort => 'updated');
check_query('olga', queue => 'mine', sla => 'breached', sort => 'updated');
check_query('anna', queue => 'mine', status => 'any');
check_query('ivan', priority => 'high', sort => 'created', status => 'solved');

# the holder: by login, by e-mail (any case), with other filters
check_query('admin', holder => 'holder2', holder_id => $customers[1]{id});
check_query('admin', holder => 'HOLDER3@example.com', holder_id => $customers[2]{id}, status => 'any');
check_query('olga', holder => 'holder1', holder_id => $customers[0]{id}, queue => 'unassigned',
            sort => 'created');
my $res = $admin->api('GET', 'staff/tickets?holder=nobody-at-all');
is_deeply([ $res->{status}, $res->{json}{total} ], [ 200, 0 ], 'an unknown holder: nothing');

# words of the subject: a whole word, a prefix, two words, case and ё folded,
# an error code
check_query('admin', q => 'токен');
check_query('admin', q => 'ТОКЕН', status => 'any');
check_query('admin', q => 'подпис');
check_query('olga', q => 'не устанавливается', sort => 'updated');
check_query('admin', q => 'криптопро plug-in');
check_query('admin', q => (split / /, $all[77]{subject})[-1], status => 'any');
check_query('admin', q => '0x8009012');
check_query('ivan', q => 'рутокен', queue => 'unassigned');
check_query('admin', q => 'журнал', sla => 'at_risk', holder => 'holder2', holder_id => $customers[1]{id});
check_query('admin', q => 'ёлка');
check_query('admin', q => 'сертификат', priority => 'critical', department => 1);

sub count { my @t = expect(@_); return scalar @t }

# the counts beside the list: of each queue, each status, each priority
sub counts_of {
    my ($who, %q) = @_;
    my (%queues, %st, %pr);
    for my $queue (qw(all mine unassigned)) {
        $queues{$queue} = count($who, %q, queue => $queue, status => 'unclosed',
                                        priority => undef, sla => undef, q => undef, holder => undef);
    }
    my $queue = $q{queue} // 'all';
    for my $s (@statuses) {
        $st{$s} = count($who, %q, queue => $queue, status => $s, priority => undef,
                                sla => undef, q => undef, holder => undef);
    }
    for my $p (@priorities) {
        $pr{$p} = count($who, %q, queue => $queue, priority => $p,
                                sla => undef, q => undef, holder => undef);
    }
    return { queues => \%queues, statuses => \%st, priorities => \%pr };
}

for my $case ([ 'admin' ], [ 'olga', queue => 'mine' ], [ 'ivan', queue => 'unassigned', status => 'any' ],
              [ 'admin', department => 3, status => 'resolved' ], [ 'olga', status => 'closed' ], [ 'anna', priority => 'high', sla => 'breached' ])
{
    my ($name, %q) = @$case;
    my $qs = query_string(%q);
    my $res = $who{$name}{ua}->api('GET', "staff/tickets?$qs");
    is_deeply($res->{json}{counts}, counts_of($who{$name}, %q), "$name $qs: the counts");
}

# the HTML page shows the same: the total, the first rows, the tab counts
my $want = counts_of($who{olga});
my @first = expect($who{olga}, sla => 'breached');
$res = $olga->get('/staff/tickets?sla=breached');
is($res->{status}, 200, 'the queue page');
like($res->{content}, qr{<span class="number">$first[0]{number}</span>}, 'the page shows the first breached ticket');
like($res->{content}, qr/\b$want->{queues}{unassigned}\b/, 'the page shows the unassigned count');
my $subject = $first[0]{subject};
$subject =~ s/&/&amp;/g;
like($res->{content}, qr/\Q$subject\E/, 'the page shows its subject');

# another department is forbidden to an agent, unknown arguments are refused
$res = $ivan->api('GET', 'staff/tickets?department=1');
is($res->{status}, 403, "an agent asking for another department's queue: 403");
for my $bad ('queue=everything', 'status=lost', 'priority=extreme', 'sla=ok', 'sort=random',
             'page=0', 'per_page=0', 'department=x', 'status=new,lost') {
    my ($field) = $bad =~ /^(\w+)/;
    $res = $admin->api('GET', "staff/tickets?$bad");
    is($res->{status}, 400, "$bad: 400");
    is($res->{json}{error}{field}, $field, "$bad: the field is named");
}

$res = $admin->api('GET', 'staff/tickets?per_page=1000');
is_deeply([ $res->{status}, $res->{json}{per_page}, scalar @{ $res->{json}{tickets} } ], [ 200, 100, 100 ],
          'a page larger than 100 is cut to 100');

# the data stays consistent with its indexes
($rc, $out) = $hd->cli('check');
is($rc, 0, 'helpdesk check passes') or diag $out;

$hd->finish;
done_testing;
