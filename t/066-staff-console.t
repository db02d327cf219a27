# The staff console (SPEC §2, §5, §9): a ticket's whole life driven from
# both sides with the e-mail of each step; who sees what (another
# department's agent gets 404, a customer 403, a disabled agent is out);
# two agents at once; a ticket registered from a phone call; taking,
# assigning, moving, overriding, cancelling with a reason; the forms of the
# HTML console; the satisfaction report.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use URI::Escape qw(uri_escape_utf8);
use Encode ();
use POSIX ();
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 20);
my $admin = $hd->staff('boss', 'administrator');
my $agent = $hd->staff('olga', 'agent', departments => '1', name => 'Ольга Смирнова');
my $agent2 = $hd->staff('ivan', 'agent', departments => '1', name => 'Иван Орлов');
my $other = $hd->staff('petr', 'agent', departments => '2', name => 'Пётр Другой');
my $manager = $hd->staff('anna', 'manager', departments => '2', name => 'Анна Руководитель');
my $kate = $hd->user('kate', name => 'Екатерина Клиентова');
my $cert = $hd->certificate($kate, $type);

sub mails_to { my ($kind, $to) = @_; grep { $_->{kind} eq $kind && lc $_->{to} eq lc $to } $hd->outbox }

# --- the full life of a ticket, both sides ---

my $n = $hd->ticket($kate, certificate => $cert, subject => 'Не подписывается документ',
                    description => 'Ошибка 0x80090008 при подписи');
ok($hd->last_mail('ticket_created', 'kate@example.com'), 'created: the customer gets the number by e-mail');

my $res = $agent->api('GET', 'staff/tickets?queue=unassigned');
is($res->{status}, 200, 'the agent opens the unassigned queue');
my ($row) = grep { $_->{number} == $n } @{ $res->{json}{tickets} };
ok($row, '... the new ticket is there');
is($row->{status}, 'new', '... new');
is($row->{owner}, undef, '... nobody owns it');
is($res->{json}{counts}{queues}{unassigned}, 1, '... counted as unassigned');

my $page = $agent->get('/staff/tickets');
like($page->{content}, qr/Не подписывается документ/, 'the HTML queue lists it');
like($page->{content}, qr{href="/staff/tickets/$n"}, '... linked to the staff view');

$page = $agent->get("/staff/tickets/$n");
is($page->{status}, 200, 'the staff ticket page');
like($page->{content}, qr/Екатерина Клиентова/, '... shows the customer');
like($page->{content}, qr/\Q$cert\E/, '... and the certificate');
like($page->{content}, qr{id="cert-unclosed">1 / 20<}, '... with its unclosed count and limit');
like($page->{content}, qr/id="take-ticket"/, '... and a Take button');

# take through the form
my $csrf = $agent->form_csrf("/staff/tickets/$n");
$res = $agent->post_form("/staff/tickets/$n/take", { csrf => $csrf });
is($res->{status}, 303, 'take: the form redirects');
like($res->{headers}{location}, qr{/staff/tickets/$n\?notice=ticket_saved}, '... back to the ticket');
$res = $agent->api('GET', "staff/tickets/$n");
is($res->{json}{owner}, 'Ольга Смирнова', '... the agent owns it');
is($res->{json}{status}, 'new', '... still new: taking is not answering');
ok((grep { $_->{action} eq 'assigned' } @{ $res->{json}{audit} }), '... the audit says so');
is(scalar(mails_to('ticket_assigned', 'olga@support.example')), 0,
   '... nobody is mailed for taking one themselves');
$res = $agent->api('GET', 'staff/tickets?queue=mine');
is_deeply([ map { $_->{number} } @{ $res->{json}{tickets} } ], [$n], 'it is in her queue "mine"');

# information request
my $version = $agent->api('GET', "staff/tickets/$n")->{json}{version};
$res = $agent->post_multipart("/staff/tickets/$n/messages",
                              { csrf => $csrf, kind => 'info_request', version => $version,
                                body => 'Пришлите журнал событий CSP' },
                              [ [ 'attachments', 'инструкция.txt', 'как снять журнал' ] ]);
is($res->{status}, 303, 'info request through the form');
like($res->{headers}{location}, qr/notice=reply_added/, '... added, nothing changed meanwhile');
is($kate->api('GET', "tickets/$n")->{json}{status}, 'awaiting_customer', 'the customer sees awaiting_customer');
my $mail = $hd->last_mail('ticket_info_request', 'kate@example.com');
like($mail->{body}, qr/Пришлите журнал событий CSP/, '... and gets the request by e-mail');
my ($req) = grep { $_->{kind} eq 'info_request' } @{ $kate->api('GET', "tickets/$n")->{json}{messages} };
is($req->{attachments}[0]{name}, 'инструкция.txt', "... with the agent's file");
is(Encode::decode_utf8($kate->get($req->{attachments}[0]{url})->{content}), 'как снять журнал',
   '... which the customer downloads');

# internal note: staff only
$hd->staff_says($agent, $n, 'note', 'Клиент на старой версии — проверить');
ok(!(grep { $_->{kind} eq 'note' } @{ $kate->api('GET', "tickets/$n")->{json}{messages} }),
   'an internal note: the customer never sees it');
ok((grep { $_->{kind} eq 'note' } @{ $agent2->api('GET', "staff/tickets/$n")->{json}{messages} }),
   '... the colleagues do');
like($agent2->get("/staff/tickets/$n")->{content}, qr/Клиент на старой версии/, '... on the page too');

# the customer answers
$res = $kate->api('POST', "tickets/$n/messages", { body => 'Журнал во вложении' });
is($res->{json}{status}, 'open', "the customer's answer: open");

# a solution, then the customer closes and rates
is($hd->staff_says($agent, $n, 'solution', 'Переустановите CSP 5.0 R3')->{status}, 'solved', 'a solution: solved');
$mail = $hd->last_mail('ticket_solution', 'kate@example.com');
like($mail->{body}, qr/Переустановите CSP 5\.0 R3/, '... mailed to the customer');
is($kate->api('POST', "tickets/$n/close")->{json}{status}, 'closed', 'the customer closes it: closed');
ok($hd->last_mail('ticket_closed', 'kate@example.com'), '... the closing mail goes out');
is($kate->api('POST', "tickets/$n/rating", { stars => 5, comment => 'Спасибо, Ольга!' })->{status}, 200,
   '... and rates it');

# the statuses it went through, each an event of the thread
my @events = map { $_->{event}{to} } grep { $_->{kind} eq 'event' }
             @{ $agent->api('GET', "staff/tickets/$n")->{json}{messages} };
is_deeply(\@events, [qw(awaiting_customer open solved closed)], 'its events: each status change in turn');

# a closed ticket takes notes, not replies
$res = $agent->api('POST', "staff/tickets/$n/messages", { kind => 'reply', body => 'ещё' });
is($res->{status}, 409, 'a reply to a closed ticket: 409');
is($agent->api('POST', "staff/tickets/$n/messages", { kind => 'note', body => 'итог' })->{status}, 201,
   '... a note still goes');

# --- the satisfaction report ---

$res = $agent->api('GET', 'staff/reports/satisfaction');
is($res->{status}, 200, 'the satisfaction report');
is($res->{json}{all}{ratings}, 1, '... one rating');
is($res->{json}{all}{average}, 5, '... average 5');
my ($by_agent) = grep { ($_->{name} // '') eq 'Ольга Смирнова' } @{ $res->{json}{agents} };
is($by_agent->{ratings}, 1, '... counted for the agent who owned it');
is($res->{json}{departments}[0]{name}, 'Базовая поддержка', '... and for the department');
like($res->{json}{months}[0]{month}, qr/^\d{4}-\d\d$/, '... and per month');
is($res->{json}{tickets}[0]{comment}, 'Спасибо, Ольга!', '... with the comment');
$page = $agent->get('/staff/reports');
like($page->{content}, qr/Спасибо, Ольга!/, 'the report page shows the comment');
is($other->api('GET', 'staff/reports/satisfaction')->{json}{all}{ratings}, 0,
   "another department's agent sees none of it");
is($agent->api('GET', 'staff/reports/satisfaction?from=2000-13-01')->{status}, 400,
   'a bad date: 400');

# --- permissions ---

my $t2 = $hd->ticket($kate, certificate => $cert, subject => 'Второе обращение');
for my $try (['GET', "staff/tickets/$t2"], ['PATCH', "staff/tickets/$t2", { owner => 'me' }],
             ['POST', "staff/tickets/$t2/messages", { kind => 'reply', body => 'x' }]) {
    $res = $other->api(@$try);
    is($res->{status}, 404, "an agent of another department: $try->[0] $try->[1] is 404");
}
is($other->get("/staff/tickets/$t2")->{status}, 404, '... the page too');
ok(!(grep { $_->{number} == $t2 } @{ $other->api('GET', 'staff/tickets')->{json}{tickets} }),
   '... and the queue does not show it');
$res = $other->api('GET', 'staff/tickets?department=1');
is($res->{status}, 403, '... asking for the department: 403');
is($res->{json}{error}{field}, 'department', '... naming the field');
is($manager->api('GET', "staff/tickets/$t2")->{status}, 200, 'a manager sees every department');

for my $try (['GET', 'staff/tickets'], ['GET', "staff/tickets/$t2"], ['PATCH', "staff/tickets/$t2", { owner => 'me' }],
             ['POST', 'staff/tickets', {}], ['GET', 'staff/customers?q=kate'],
             ['GET', 'staff/reports/satisfaction'], ['GET', 'admin/staff']) {
    is($kate->api(@$try)->{status}, 403, "a customer: $try->[0] $try->[1] is 403");
}
is($kate->get('/staff/tickets')->{status}, 403, '... the console page too');
is($hd->client->api('GET', 'staff/tickets')->{status}, 401, 'nobody logged in: 401');
is($agent->api('GET', 'admin/staff')->{status}, 403, 'an agent is not an administrator: 403');

# bad input names the field and changes nothing
for my $bad (['queue=everything', 'queue'], ['status=done', 'status'], ['priority=top', 'priority'],
             ['sla=late', 'sla'], ['sort=random', 'sort'], ['department=x', 'department'],
             ['page=0', 'page']) {
    $res = $agent->api('GET', "staff/tickets?$bad->[0]");
    is($res->{status}, 400, "queue ?$bad->[0]: 400");
    is($res->{json}{error}{field}, $bad->[1], "... naming $bad->[1]");
}
my $before = $agent->api('GET', "staff/tickets/$t2")->{json};
for my $bad ([{ priority => 'top' }, 'priority'], [{ type => 'question' }, 'type'],
             [{ severity => 7 }, 'severity'], [{ category => 'x' }, 'category'],
             [{ status => 'solved' }, 'status'], [{ status => 'cancelled_by_staff' }, 'reason'],
             [{ department => 999 }, 'department'], [{ owner => 999 }, 'owner'], [{}, undef]) {
    $res = $agent->api('PATCH', "staff/tickets/$t2", $bad->[0]);
    ok($res->{status} >= 400 && $res->{status} < 500,
       'PATCH ' . $hd->client->json->encode($bad->[0]) . ": $res->{status}");
    is($res->{json}{error}{field}, $bad->[1], '... naming ' . ($bad->[1] // 'no field'));
}
is_deeply($agent->api('GET', "staff/tickets/$t2")->{json}{version}, $before->{version}, '... and nothing changed');

# --- take, assign, move, override, cancel ---

$res = $agent->api('PATCH', "staff/tickets/$t2", { owner => $agent2->{id} });
is($res->{status}, 403, 'an agent cannot hand a ticket to a colleague: 403');
$res = $manager->api('PATCH', "staff/tickets/$t2", { owner => $agent2->{id} });
is($res->{status}, 200, 'a manager assigns it');
is($res->{json}{owner}, 'Иван Орлов', '... to the agent');
$mail = $hd->last_mail('ticket_assigned', 'ivan@support.example');
like($mail->{body}, qr/Второе обращение/, '... who is told by e-mail');
like($mail->{body}, qr{staff/tickets/$t2}, '... with the link to the console');
$res = $manager->api('PATCH', "staff/tickets/$t2", { owner => $other->{id} });
is($res->{status}, 422, "... but not to someone outside the ticket's department");

$res = $agent2->api('PATCH', "staff/tickets/$t2", { priority => 'urgent', severity => 1,
                                                     type => 'enhancement', category => 'feedback' });
is($res->{status}, 200, 'priority, severity, type and category changed at once');
is($res->{json}{priority}, 'urgent', '... the priority overridden');
ok($res->{json}{priority_overridden}, '... and said to be');
is($res->{json}{type}, 'enhancement', '... the type');
my @edits = map { $_->{detail} } grep { $_->{action} eq 'edited' } @{ $res->{json}{audit} };
ok((grep { /^priority: normal -> urgent/ } @edits), '... each change in the audit') or diag explain \@edits;
ok((grep { /^severity: 3 -> 1/ } @edits), '... the severity too');
$res = $agent2->api('PATCH', "staff/tickets/$t2", { priority => 'auto' });
is($res->{json}{priority}, 'elevated', 'priority auto: derived again (normal, severity 1 one up)');

$res = $agent2->api('PATCH', "staff/tickets/$t2", { department => 2 });
is($res->{status}, 200, 'moved to another department');
is($res->{json}{department_id}, 2, '... there now');
is($res->{json}{owner}, undef, '... its owner, who does not work there, lets it go');
is($agent2->api('GET', "staff/tickets/$t2")->{status}, 404, '... and no longer sees it');
is($other->api('GET', "staff/tickets/$t2")->{status}, 200, "... the new department's agent does");

$res = $other->api('PATCH', "staff/tickets/$t2",
                   { status => 'cancelled_by_staff', reason => 'Сертификат принадлежит другой организации' });
is($res->{status}, 200, 'cancelled by staff with a reason');
is($res->{json}{status}, 'cancelled_by_staff', '... cancelled_by_staff');
$mail = $hd->last_mail('ticket_cancelled_staff', 'kate@example.com');
like($mail->{body}, qr/Сертификат принадлежит другой организации/, '... the customer is told why');
my ($why) = grep { $_->{kind} eq 'reply' } @{ $kate->api('GET', "tickets/$t2")->{json}{messages} };
is($why->{body}, 'Сертификат принадлежит другой организации', '... and reads it in the ticket');

# the HTML forms: cancel without a reason shows the form again
my $t3 = $hd->ticket($kate, certificate => $cert, subject => 'Третье');
$csrf = $agent->form_csrf("/staff/tickets/$t3");
$res = $agent->post_form("/staff/tickets/$t3", { csrf => $csrf, status => 'cancelled_by_staff', reason => '' });
is($res->{status}, 422, 'cancel without a reason: 422');
like($res->{content}, qr/field-error[^>]*>[^<]*причин/i, '... the form says why');
$res = $agent->post_form("/staff/tickets/$t3", { csrf => $csrf, owner => '', department => 1,
                                                  priority => 'high', type => 'bug', severity => 3,
                                                  category => 'technical' });
is($res->{status}, 303, 'the settings form saves');
is($agent->api('GET', "staff/tickets/$t3")->{json}{priority}, 'high', '... the priority set');
$res = $agent->post_form("/staff/tickets/$t3/messages", { csrf => 'forged', kind => 'reply', body => 'x' });
is($res->{status}, 403, 'a forged CSRF token: 403');

# --- two agents at once ---

my $t4 = $hd->ticket($kate, certificate => $cert, subject => 'Одновременно');
my $v4 = $agent->api('GET', "staff/tickets/$t4")->{json}{version};
my @pids;
for my $who ([$agent, 'Ответ Ольги'], [$agent2, 'Ответ Ивана']) {
    my $pid = fork;
    die "fork: $!" unless defined $pid;
    if (!$pid) {
        my $r = $who->[0]->api('POST', "staff/tickets/$t4/messages",
                               { kind => 'reply', body => $who->[1], version => $v4 });
        POSIX::_exit($r->{status} == 201 ? ($r->{json}{changed_meanwhile} ? 2 : 0) : 1);
    }
    push @pids, $pid;
}
my @codes = map { waitpid($_, 0); $? >> 8 } @pids;
is(scalar(grep { $_ == 1 } @codes), 0, 'two agents reply at once: both are accepted');
is(scalar(grep { $_ == 2 } @codes), 1, '... the later one is told the ticket changed meanwhile');
my @replies = grep { $_->{kind} eq 'reply' } @{ $kate->api('GET', "tickets/$t4")->{json}{messages} };
is(scalar @replies, 2, '... both replies are kept');
ok($replies[0]{id} < $replies[1]{id}, '... in order');
is_deeply([ sort map { $_->{body} } @replies ], [ sort 'Ответ Ольги', 'Ответ Ивана' ], '... each as written');

# an edit against an old version: done, and said
$res = $agent->api('PATCH', "staff/tickets/$t4", { priority => 'low', version => $v4 });
is($res->{status}, 200, 'an edit against an older version is applied');
ok($res->{json}{changed_meanwhile}, '... and says the ticket changed meanwhile');
$csrf = $agent->form_csrf("/staff/tickets/$t4");
$res = $agent->post_form("/staff/tickets/$t4/messages", { csrf => $csrf, kind => 'note', body => 'поздно', version => $v4 });
like($res->{headers}{location}, qr/notice=changed_meanwhile/, '... the form says so too');
like($agent->get($res->{headers}{location})->{content}, qr/изменилось, пока вы писали/, '... in words');

# --- a ticket registered from a phone call ---

$res = $agent->api('GET', 'staff/customers?q=' . uri_escape_utf8('Клиентова'));
is($res->{status}, 200, 'the agent looks for the caller by name');
is($res->{json}{customers}[0]{login}, 'kate', '... and finds her');
is($res->{json}{customers}[0]{certificates}[0]{number}, $cert, '... with her certificates');
is($agent->api('GET', "staff/customers?q=$cert")->{json}{customers}[0]{login}, 'kate', '... also by the certificate');
is($agent->api('GET', 'staff/customers?q=kate@example.com')->{json}{customers}[0]{login}, 'kate', '... and by e-mail');
is($agent->api('GET', 'staff/customers')->{status}, 400, 'no query: 400');

my $outbox_before = scalar(mails_to('ticket_created', 'kate@example.com'));
$res = $agent->api('POST', 'staff/tickets', { customer => $kate->{id}, certificate => $cert,
                                              subject => 'Звонок: не работает токен',
                                              description => 'Со слов клиента: токен не виден',
                                              category => 'technical', type => 'consultation',
                                              severity => 3 });
is($res->{status}, 201, 'a ticket registered on her behalf');
is($res->{json}{channel}, 'phone', '... channel phone');
my $phone = $res->{json}{number};
my $mine = $kate->api('GET', "tickets/$phone")->{json};
is($mine->{author}, 'Екатерина Клиентова', '... hers: she sees it in her tickets');
is($mine->{channel}, 'phone', '... as a phone ticket');
is(scalar(mails_to('ticket_created', 'kate@example.com')), $outbox_before + 1, '... and gets its number by e-mail');
my ($created) = grep { $_->{action} eq 'created' } @{ $agent->api('GET', "staff/tickets/$phone")->{json}{audit} };
is($created->{actor}, 'Ольга Смирнова', '... the audit names the agent who registered it');
is($created->{side}, 'staff', '... from the staff side');
$res = $agent->api('POST', 'staff/tickets', { customer => $kate->{id}, subject => 'x', description => 'y',
                                              category => 'technical', type => 'bug', severity => 3,
                                              channel => 'pigeon' });
is($res->{status}, 422, 'an unknown channel: 422');
is($res->{json}{error}{field}, 'channel', '... naming the field');
$res = $agent->api('POST', 'staff/tickets', { subject => 'x', description => 'y', category => 'technical',
                                              type => 'bug', severity => 3 });
is($res->{json}{error}{field}, 'customer', 'no customer: the field is named');

# the HTML way
$page = $agent->get('/staff/tickets/new?q=kate');
like($page->{content}, qr{href="/staff/tickets/new\?customer=$kate->{id}"}, 'the form finds the customer');
$page = $agent->get("/staff/tickets/new?customer=$kate->{id}");
like($page->{content}, qr{id="chosen-customer">Екатерина Клиентова<}, '... and, chosen, shows the ticket form');
$csrf = $agent->form_csrf("/staff/tickets/new?customer=$kate->{id}");
$res = $agent->post_multipart('/staff/tickets/new', { csrf => $csrf, customer => $kate->{id}, channel => 'email',
                                                      certificate => $cert, category => 'technical',
                                                      type => 'bug', severity => 2,
                                                      subject => 'Письмо: ошибка 0x80090016',
                                                      description => 'Переслано из почты' });
is($res->{status}, 303, 'registered through the form');
like($res->{headers}{location}, qr{/staff/tickets/\d+\?notice=ticket_registered}, '... to the new ticket');
my ($emailed) = $res->{headers}{location} =~ m{/staff/tickets/(\d+)};
is($agent->api('GET', "staff/tickets/$emailed")->{json}{channel}, 'email', '... channel email');

# --- administration: staff accounts, departments, certificates, companies ---

$res = $admin->api('POST', 'admin/staff', { login => 'newbie', email => 'newbie@support.example',
                                            name => 'Новый Агент', password => 'newbie-password-1',
                                            role => 'agent', departments => [1] });
is($res->{status}, 201, 'an administrator adds a staff account');
is_deeply($res->{json}{departments}, [1], '... in a department');
my $newbie = $hd->client;
$newbie->login('newbie', 'newbie-password-1');
is($newbie->api('GET', 'staff/tickets')->{status}, 200, '... who works the queue at once');
$res = $admin->api('POST', 'admin/staff', { login => 'x', email => 'bad', name => '', password => 'short',
                                            role => 'boss' });
is($res->{status}, 422, 'a bad staff account: 422');
my %fields = map { $_->{field} => 1 } @{ $res->{json}{errors} };
ok($fields{$_}, "... naming $_") for qw(email name password role);

my $newbie_id = $res = $admin->api('GET', 'admin/staff');
my ($nb) = grep { $_->{login} eq 'newbie' } @{ $res->{json}{staff} };
$res = $admin->api('PATCH', "admin/staff/$nb->{id}", { disabled => JSON::PP::true() });
is($res->{status}, 200, 'the administrator disables the account');
ok($res->{json}{disabled}, '... disabled');
is($newbie->api('GET', 'staff/tickets')->{status}, 401, '... and its session is over at once');
is($hd->client->api('POST', 'session', { login => 'newbie', password => 'newbie-password-1' })->{status}, 403,
   '... nor can it log in again');
$res = $admin->api('PATCH', "admin/staff/$nb->{id}", { disabled => JSON::PP::false(), role => 'manager',
                                                      departments => [1, 2] });
is($res->{json}{role}, 'manager', 'enabled again, as a manager');
is_deeply($res->{json}{departments}, [1, 2], '... in two departments');
my ($me) = grep { $_->{login} eq 'boss' } @{ $admin->api('GET', 'admin/staff')->{json}{staff} };
is($admin->api('PATCH', "admin/staff/$me->{id}", { role => 'agent' })->{status}, 409,
   'an administrator cannot demote themselves');

# the HTML form disables too
$csrf = $admin->form_csrf('/admin/staff');
$res = $admin->post_form("/admin/staff/$agent2->{id}", { csrf => $csrf, role => 'agent', departments_set => 1,
                                                         department_1 => 1, disabled => 1 });
is($res->{status}, 303, 'the staff form saves');
is($agent2->api('GET', 'staff/tickets')->{status}, 401, '... and the disabled agent is logged out');
like($admin->get('/admin/staff')->{content}, qr/Иван Орлов/, 'the staff page lists the staff');

$res = $admin->api('POST', 'admin/departments', { name => 'Отдел внедрения' });
is($res->{status}, 201, 'a department added');
my $dep = $res->{json}{id};
is($admin->api('POST', 'admin/departments', { name => 'отдел ВНЕДРЕНИЯ' })->{status}, 409,
   '... names are unique without case');
is($admin->api('PATCH', "admin/departments/$dep", { name => 'Отдел внедрения и сопровождения' })->{json}{name},
   'Отдел внедрения и сопровождения', '... and renamed');
is($admin->api('POST', 'admin/departments', { name => '' })->{json}{error}{field}, 'name', 'an empty name: named');
like($admin->get('/admin/departments')->{content}, qr/Отдел внедрения и сопровождения/, 'the departments page');

# certificates: search by holder, revoke
$res = $admin->api('GET', 'admin/certificates?q=kate');
is($res->{json}{certificates}[0]{number}, $cert, "a holder's certificates by login");
is($res->{json}{certificates}[0]{holder}{name}, 'Екатерина Клиентова', '... with the holder');
my $cid = $res->{json}{certificates}[0]{id};
like($admin->get("/admin/certificates?q=$cert")->{content}, qr/Екатерина Клиентова/, 'the page shows the holder');
$res = $admin->api('POST', "admin/certificates/$cid/revoke");
is($res->{status}, 200, 'the certificate revoked');
ok($res->{json}{revoked}, '... revoked');
$res = $kate->api('POST', 'tickets', { subject => 'x', description => 'y', category => 'technical',
                                       type => 'bug', severity => 3, certificate => $cert });
is($res->{status}, 422, '... no new ticket on it');

# companies
$kate->api('POST', 'company', { name => 'ООО «Ромашка»' });
$res = $admin->api('GET', 'admin/companies?q=' . uri_escape_utf8('ромаш'));
is($res->{json}{companies}[0]{name}, 'ООО «Ромашка»', 'companies found by a part of the name');
my $company = $res->{json}{companies}[0]{id};
$res = $admin->api('GET', "admin/companies/$company");
is($res->{json}{members}[0]{email}, 'kate@example.com', '... with their members');
like($admin->get("/admin/companies/$company")->{content}, qr/kate\@example\.com/, '... on the page too');
for my $bad ('abc', '0', '-1', '18446744073709551616') {
    is($admin->api('GET', "admin/companies/$bad")->{status}, 404, "admin/companies/$bad: 404, not the list");
}
is($admin->get('/admin/companies/abc')->{status}, 404, '... the page too');
is($admin->get('/admin/departments/abc')->{status}, 404, 'admin/departments/abc: 404, not the list');

my ($rc, $out) = $hd->cli('check');
is($rc, 0, 'the data checks consistent after all of it') or diag($out);

$hd->finish;
done_testing;
