# Staff's full-text search of tickets (SPEC §8, §9 GET /staff/search): by
# any word of the subject or of any message, the third as well as the
# first, internal notes included, in the staff member's departments only;
# customers have no such search.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use URI::Escape qw(uri_escape_utf8);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
$t->start;

my ($rc, $out) = $t->cli('departments', 'add', 'Партнёры');
my ($partners) = $out =~ /department (\d+)/;
ok($partners, 'a second department');

my $manager = $t->staff('chief', 'manager');
my $agent = $t->staff('agent', 'agent', departments => '1');
my $other = $t->staff('other', 'agent', departments => $partners);
my $ivan = $t->user('ivan');

sub search { my ($ua, $q) = @_; $ua->api('GET', 'staff/search?q=' . uri_escape_utf8($q)) }
sub numbers { [ map { $_->{number} } @{ $_[0]{json}{tickets} // [] } ] }

my $n = $t->ticket($ivan, subject => 'Не запускается служба', description => 'После перезагрузки служба не стартует');
$ivan->api('POST', "tickets/$n/messages", { body => 'Вот журнал событий, там ничего' });
$ivan->api('POST', "tickets/$n/messages", { body => 'Появилась ошибка 0x8007045b и слово фиолетовый' });
$t->staff_says($agent, $n, 'note', 'Похоже на повреждённый реестр, заметка для своих');
my $m = $t->ticket($ivan, subject => 'Другое обращение', description => 'Совсем про другое');

my $res = search($agent, 'фиолетовый');
is($res->{status}, 200, 'staff search');
is_deeply(numbers($res), [$n], 'a word only in the third message finds the ticket');
is($res->{json}{total}, 1, 'with the total');
ok(!$res->{json}{total_estimated}, '... counted, not estimated');
is($res->{json}{pages}, 1, '... on one page');
is($res->{json}{tickets}[0]{subject}, 'Не запускается служба', 'and its subject');
like($res->{json}{tickets}[0]{snippet}, qr/фиолетовый/, 'and a snippet of that message');
is_deeply(numbers(search($agent, '0x8007045b')), [$n], 'an error code');
is_deeply(numbers(search($agent, 'фиолетовая')), [$n], 'another form of the word');
is_deeply(numbers(search($agent, 'запускается')), [$n], 'the subject');
my $signed = $t->ticket($ivan, subject => 'Документ', description => 'Договор не подписывается ключом');
is_deeply(numbers(search($agent, 'подписать')), [$signed], 'a word by its root: подписать finds подписывается');
is_deeply(numbers(search($agent, 'реестра')), [$n], 'an internal note, for staff');
is_deeply(numbers(search($manager, 'фиолетовый')), [$n], 'managers see every department');
is(search($other, 'фиолетовый')->{json}{total}, 0, "another department's ticket is not found");
is(search($agent, 'несуществующееслово')->{json}{total}, 0, 'nothing for a word nowhere');
is($ivan->api('GET', 'staff/search?q=x')->{status}, 403, 'customers have no staff search');

my $page = $agent->get('staff/search?q=' . uri_escape_utf8('журнал событий'));
is($page->{status}, 200, 'the search page');
like($page->{content}, qr{id="found-$n".*<mark>журнал</mark>}s, 'marks the words in the snippet');
like($agent->get('staff/tickets')->{content}, qr{action="/staff/search"}, 'the queue has the search box');

# similar resolved tickets on a ticket's page
$t->staff_says($agent, $n, 'solution', 'Восстановите службу из реестра');
my $k = $t->ticket($ivan, subject => 'Служба не запускается после обновления', description => 'Опять');
like($agent->get("staff/tickets/$k")->{content}, qr{id="similar-tickets">.*staff/tickets/$n"}s,
     'a ticket shows the resolved one about the same');
unlike($agent->get("staff/tickets/$m")->{content}, qr{id="similar-tickets"}, 'and nothing for one about something else');

$t->finish;

# messages from before the index (an older version wrote them unindexed; here
# a portal started without indexing them): `helpdesk search reindex`
my $old = Helpdesk::Test->new(main => 'env HELPDESK_BENCH_NO_TICKET_INDEX;');
{
    local $ENV{HELPDESK_BENCH_NO_TICKET_INDEX} = 1;
    $old->start;
}
my $chief = $old->staff('oldchief', 'manager');
my $anna = $old->user('anna');
my @old = map { $old->ticket($anna, subject => "Старое обращение $_", description => "Описание номер $_") } 1 .. 3;
$anna->api('POST', "tickets/$old[1]/messages", { body => 'Третье слово бирюзовый в ответе' });
is(search($chief, 'бирюзовый')->{json}{total}, 0, 'messages written without the index are not found');
$old->stop;
$old->start;
my $fresh = $old->ticket($anna, subject => 'Новое обращение', description => 'Тоже бирюзовый');
is_deeply(numbers(search($chief, 'бирюзовый')), [$fresh], '... those written since are');

($rc, $out) = $old->cli('search', 'reindex');
is($rc, 0, 'helpdesk search reindex');
like($out, qr/^5 ticket messages indexed$/m, '... says how many messages it indexed') or diag($out);
is_deeply([ sort { $a <=> $b } @{ numbers(search($chief, 'бирюзовый')) } ], [ sort { $a <=> $b } $old[1], $fresh ],
          '... and the old message is found with the new one');
is_deeply(numbers(search($chief, 'старое')), [ reverse @old ] , '... the old subjects too') ;
($rc, $out) = $old->cli('search', 'reindex', '--batch', 2);
like($out, qr/^5 ticket messages indexed$/m, 'again, two messages a transaction');
is(search($chief, 'бирюзовый')->{json}{total}, 2, '... the same two, nothing twice');
is_deeply(numbers(search($chief, 'описание')), [ reverse @old ], '... every ticket of every batch');
($rc, $out) = $old->cli('search', 'reindex', '--batch', 'x');
like($out, qr/--batch wants a number of messages from 1 to 1000000, not "x"/, 'a bad --batch is refused, saying why');
($rc, $out) = $old->cli('search', 'reindex', 'now');
is($rc, 2, 'a mistake on its command line is refused');
like($out, qr/usage: helpdesk search reindex/, '... with its usage');
$old->finish;

done_testing;
