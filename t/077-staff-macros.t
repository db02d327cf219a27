# Canned replies (issue 17): staff keep texts with placeholders, shared ones
# made by managers and administrators; a ticket page offers them and fills
# its reply form with the text and the kind; the agent reads and sends.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $ua = $hd->user('vera', name => 'Вера Клиентова');
my $agent = $hd->staff('pavel', 'agent', name => 'Павел Агентов');
my $boss = $hd->staff('olga', 'manager', name => 'Ольга');
my $other = $hd->staff('ivan', 'agent');
my $n = $hd->ticket($ua, subject => 'Не подписывается документ');

my $res = $boss->api('POST', 'staff/macros', { title => 'Нужен журнал', kind => 'info_request', shared => 1,
    body => "Здравствуйте, {{customer}}!\nПо обращению №{{ticket}} («{{subject}}») пришлите журнал.\n{{agent}}" });
is($res->{status}, 201, 'a manager makes a shared canned reply') or diag $res->{content};
my $shared = $res->{json}{id};
is($res->{json}{shared}, JSON::PP::true, '... shared');

$res = $agent->api('POST', 'staff/macros', { title => 'Мой ответ', body => 'Спасибо, {{customer}}.', kind => 'reply' });
is($res->{status}, 201, 'an agent makes one of their own');
my $mine = $res->{json}{id};

$res = $agent->api('POST', 'staff/macros', { title => 'Общий', body => 'x', shared => 1 });
is($res->{status}, 422, 'an agent may not make a shared one');
is($res->{json}{error}{field}, 'shared', '... naming the field');
$res = $agent->api('POST', 'staff/macros', { title => '', body => '', kind => 'shout' });
is($res->{status}, 422, 'an empty title, body and a bad kind: 422');

my @titles = map { $_->{title} } @{ $agent->api('GET', 'staff/macros')->{json}{macros} };
is_deeply(\@titles, [ 'Мой ответ', 'Нужен журнал' ], 'the agent sees the shared one and their own, by title');
@titles = map { $_->{title} } @{ $other->api('GET', 'staff/macros')->{json}{macros} };
is_deeply(\@titles, [ 'Нужен журнал' ], "another agent sees only the shared one, not Pavel's");

# the ticket page fills the reply form (HTML, no JavaScript)
my $page = $agent->get("/staff/tickets/$n?macro=$shared");
is($page->{status}, 200, 'the staff ticket page with ?macro=');
like($page->{content}, qr{<textarea id="body" name="body"[^>]*>Здравствуйте, Вера Клиентова!\nПо обращению №$n \(«Не подписывается документ»\) пришлите журнал\.\nПавел Агентов</textarea>},
     '... the reply holds the text with the customer, the ticket, its subject and the agent filled in');
like($page->{content}, qr{value="info_request" checked}, '... and the kind the macro makes is chosen');
like($page->{content}, qr{id="macro-applied"}, '... saying a canned reply was inserted');
$page = $other->get("/staff/tickets/$n?macro=$mine");
unlike($page->{content}, qr{Спасибо, Вера}, "another agent cannot use Pavel's own");

# deleting: one's own, and shared ones by managers
is($other->api('DELETE', "staff/macros/$mine")->{status}, 404, "another agent cannot delete Pavel's");
is($agent->api('DELETE', "staff/macros/$shared")->{status}, 404, 'an agent cannot delete a shared one');
is($agent->api('DELETE', "staff/macros/$mine")->{status}, 200, 'Pavel deletes his own');
is($boss->api('DELETE', "staff/macros/$shared")->{status}, 200, 'the manager deletes the shared one');
is_deeply($agent->api('GET', 'staff/macros')->{json}{macros}, [], 'none left');
is($ua->api('GET', 'staff/macros')->{status}, 403, 'not for customers');

$hd->finish;
done_testing;
