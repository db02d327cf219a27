# Request categories as data (Kaspersky block 7, issue 16): the four built
# in, and those operators add, each with its labels, a line on the form, the
# department its tickets go to and its own ticket form; a built-in one may
# be sent elsewhere or taken off the form.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;
my $ua = $t->user('ivan');
my $admin = $t->staff('boss', 'administrator');
my ($rc, $out) = $t->cli('departments', 'add', 'Лицензирование');
my ($lic_dep) = $out =~ /department (\d+)/;

my $res = $ua->api('GET', 'categories');
is_deeply([ map { $_->{name} } @{ $res->{json}{categories} } ],
          [qw(technical account_or_contract feedback apns_certificate)], 'the four built-in categories');

# --- an operator's category -------------------------------------------------------------

($rc, $out) = $t->cli('categories', 'add', 'licensing', '--label-ru', 'Вопрос о лицензии',
                      '--label-en', 'A licensing question', '--hint-ru', 'Ключи, сроки и перенос лицензий',
                      '--department', $lic_dep);
is($rc, 0, 'the CLI adds a category with its department') or diag($out);
like($out, qr/^category 16: licensing$/m, '... the first added id');
($rc, $out) = $t->cli('categories', 'add', 'Licensing!', '--label-ru', 'x');
isnt($rc, 0, 'a name that is not lower-case Latin: refused');
like($out, qr/name/, '... naming the field');
($rc, $out) = $t->cli('categories', 'add', 'licensing', '--label-ru', 'Ещё раз');
isnt($rc, 0, 'a name taken: refused');
($rc, $out) = $t->cli('categories', 'add', 'feedback', '--label-ru', 'Отзыв');
isnt($rc, 0, "a built-in one's name: refused");
($rc, $out) = $t->cli('categories', 'add', 'nolabel');
isnt($rc, 0, 'without a label: refused');
($rc, $out) = $t->cli('categories', 'add', 'x1', '--label-ru', 'X', '--department', 999);
isnt($rc, 0, 'a department that does not exist: refused');
($rc, $out) = $t->cli('categories', 'edit', 'licensing', '--offered', 'maybe');
is($rc, 2, '--offered that is not yes or no: refused');
like($out, qr/--offered: "maybe" is not yes or no/, '... in a sentence');
($rc, $out) = $t->cli('categories', 'edit', 'feedback', '--label-ru', 'Отзывы');
is($rc, 2, "a built-in one's label: refused");
like($out, qr/feedback is built in/, '... saying why');
($rc, $out) = $t->cli('categories', 'edit', 'nothing', '--offered', 'no');
is($rc, 2, 'a category that does not exist: refused');
like($out, qr/there is no category "nothing"/, '... named');
($rc, $out) = $t->cli('categories', 'list');
like($out, qr/^16\tlicensing\tadded\toffered\tВопрос о лицензии$/m, 'the list shows it');
unlike($out, qr/\tx1\t/, '... and none of the refused');

my $page = $ua->get('/tickets/new')->{content};
like($page, qr{<option value="licensing">Вопрос о лицензии</option>}, 'the new-ticket form offers it');
like($page, qr{<p class="hint category-hint" data-category="licensing">Вопрос о лицензии: Ключи, сроки и перенос лицензий</p>},
     '... with its line');

my %q = (subject => 'Перенос лицензии на новый сервер', description => 'Как перенести ключ?',
         category => 'licensing', type => 'consultation', severity => 3);
$res = $ua->api('POST', 'tickets', \%q);
is($res->{status}, 201, 'a ticket in it') or diag($res->{content});
is($res->{json}{department}, 'Лицензирование', "... goes to the category's department");
my $n = $res->{json}{number};
is($ua->api('GET', "tickets/$n")->{json}{category}, 'licensing', '... and names it in the API');
like($ua->get("/tickets/$n")->{content}, qr{<dt>Категория</dt><dd>Вопрос о лицензии</dd>}, '... and on its page');
is($admin->api('GET', "staff/tickets/$n")->{json}{category}, 'licensing', '... for staff too');

# its own form
($rc, $out) = $t->cli('forms', 'set', 'licensing', 'any', { stdin => "key | text | required | Номер ключа | Key number\n" });
is($rc, 0, 'a form for the new category') or diag($out);
$res = $ua->api('POST', 'tickets', \%q);
is($res->{json}{error}{field}, 'fields.key', '... asks for its field');
$res = $ua->api('POST', 'tickets', { %q, fields => { key => 'KL-0001' } });
is($res->{status}, 201, '... given, created');
$page = $ua->get('/tickets/new')->{content};
like($page, qr{name="field\.licensing\.any\.key"}, "... and the portal's form shows it");
like($admin->get('/admin/forms')->{content}, qr{href="/admin/forms/licensing/any"}, '... the forms page lists it');

# --- the administrators' page ---------------------------------------------------------------

$page = $admin->get('/admin/categories')->{content};
like($page, qr{id="category-licensing"}, 'the categories page shows each');
like($page, qr{id="category-feedback".*встроенная}s, '... the built-in ones as such');
my $csrf = $admin->form_csrf('/admin/categories');
$res = $admin->post_form('/admin/categories', { csrf => $csrf, name => 'partner program', label_ru => 'Партнёрам', offered => 1 });
is($res->{status}, 422, 'a bad name on the page: shown again');
like($res->{content}, qr{<p class="field-error" id="name-error">Имя: латинские строчные}, '... saying why at the field');
$res = $admin->post_form('/admin/categories', { csrf => $csrf, name => 'partners', label_ru => 'Партнёрам',
                                                label_en => 'Partners', offered => 1 });
is($res->{status}, 303, 'a good one: added');
($rc, $out) = $t->cli('categories', 'list');
like($out, qr/^17\tpartners\tadded\toffered\tПартнёрам$/m, '... with the next id');

# a built-in one sent elsewhere, and one taken off the form
$res = $admin->api('PATCH', 'admin/categories/2', { department => $lic_dep });
is($res->{status}, 200, 'the feedback category sent to another department') or diag($res->{content});
$res = $ua->api('POST', 'tickets', { %q, category => 'feedback', subject => 'Спасибо' });
is($res->{json}{department}, 'Лицензирование', '... its tickets go there');
$res = $admin->api('PATCH', 'admin/categories/2', { department => 0 });
$res = $ua->api('POST', 'tickets', { %q, category => 'feedback', subject => 'Спасибо ещё раз' });
is($res->{json}{department}, 'Сервис-менеджеры', '... and back to the service managers without one');
$res = $admin->api('PATCH', 'admin/categories/2', { name => 'thanks' });
is($res->{status}, 200, "a built-in one's name cannot change");
is($res->{json}{name}, 'feedback', '... it stays');

$res = $admin->api('PATCH', 'admin/categories/16', { offered => JSON::PP::false() });
is($res->{status}, 200, 'a category taken off the form');
$res = $ua->api('POST', 'tickets', { %q, fields => { key => 'KL-0002' } });
is($res->{status}, 422, '... no new ticket in it');
is($res->{json}{error}{code}, 'category_invalid', '... said so');
unlike($ua->get('/tickets/new')->{content}, qr{<option value="licensing">Вопрос о лицензии}, '... not offered');
like($ua->get("/tickets/$n")->{content}, qr{Вопрос о лицензии}, '... and its tickets keep it');
ok(!(grep { $_->{name} eq 'licensing' } @{ $ua->api('GET', 'categories')->{json}{categories} }),
   '... customers are not given it');
is($ua->api('PATCH', 'admin/categories/16', { offered => JSON::PP::true() })->{status}, 403, 'customers may not change one');
is($admin->api('PATCH', 'admin/categories/99', { offered => JSON::PP::true() })->{status}, 404, 'one that does not exist: 404');

# staff move a ticket to an added category
my $m = $t->ticket($ua);
$res = $admin->api('PATCH', "staff/tickets/$m", { category => 'partners' });
is($res->{status}, 200, 'staff move a ticket into an added category') or diag($res->{content});
is($admin->api('GET', "staff/tickets/$m")->{json}{category}, 'partners', '... it is there');
like($admin->get("/staff/tickets/$m")->{content}, qr{<option value="partners" selected>Партнёрам</option>},
     "... the staff form's choice says so");

$t->stop;
done_testing;
