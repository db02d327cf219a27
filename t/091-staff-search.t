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
done_testing;
