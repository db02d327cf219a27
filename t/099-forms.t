# Ticket forms (Keysystems §5.3, Kaspersky block 8, issue 16): per category
# and type, administrators define extra fields (text, long text, select,
# date, checkbox; required or not; Russian and English labels); the portal,
# the API and the staff form show and check them, the ticket keeps them,
# staff see them and filter the queue by them. The defaults reproduce the
# seeds: Kaspersky's subtype and certified version on technical requests,
# Keysystems' system entity, identifying data and steps for errors, the
# desired date for enhancements.

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

my %bug = (subject => 'Ошибка при проведении документа', description => 'Документ не проводится.',
           category => 'technical', type => 'bug', severity => 3);

# --- the defaults ------------------------------------------------------------------

my $res = $ua->api('GET', 'forms');
is($res->{status}, 200, 'the forms are given to customers through the API');
my %form = map { ("$_->{category}/$_->{type}" => $_) } @{ $res->{json}{forms} };
is_deeply([ map { $_->{name} } @{ $form{'technical/any'}{fields} } ], [qw(subtype certified)],
          'every technical request: subtype and certified version (Kaspersky)');
is_deeply([ map { $_->{name} } @{ $form{'technical/bug'}{fields} } ], [qw(entity identifying steps)],
          'an error: system entity, identifying data, steps (Keysystems)');
is_deeply([ map { $_->{name} } @{ $form{'technical/enhancement'}{fields} } ], [qw(entity desired_date)],
          'an enhancement: entity and the desired date (Keysystems)');
is($form{'technical/enhancement'}{fields}[1]{kind}, 'date', '... a date');
ok((grep { $_->{value} eq 'licensing' } @{ $form{'technical/any'}{fields}[0]{options} }), 'the subtype is a list');
ok($form{'technical/any'}{default}, '... the built-in form');

# five extra fields through the API, kept on the ticket
$res = $ua->api('POST', 'tickets', { %bug, fields => { subtype => 'licensing', certified => JSON::PP::true(),
    entity => 'Навигатор: Администратор \\ Справочники \\ Центры ответственности',
    identifying => "id 4512, 01.12.2026, ООО «Ромашка»", steps => "1. Открыть документ\n2. Провести" } });
is($res->{status}, 201, 'a ticket with five extra fields') or diag($res->{content});
my $n = $res->{json}{number};
$res = $ua->api('GET', "tickets/$n");
is($res->{json}{fields}{subtype}, 'licensing', 'the ticket keeps the subtype');
is($res->{json}{fields}{certified}, '1', '... the certified mark');
like($res->{json}{fields}{entity}, qr/Центры ответственности$/, '... the system entity');
is($res->{json}{fields}{steps}, "1. Открыть документ\n2. Провести", '... the steps, lines and all');

# none of them required by default: a client of before is not refused
is($t->ticket($ua, %bug) > 0, 1, 'a ticket without extra fields: still accepted');

# bad values: refused with the field named, nothing made
my $count = scalar @{ $ua->api('GET', 'tickets')->{json}{tickets} };
$res = $ua->api('POST', 'tickets', { %bug, fields => { subtype => 'weather' } });
is($res->{status}, 422, 'a subtype not in the list: 422');
is($res->{json}{error}{field}, 'fields.subtype', '... naming the field');
is($res->{json}{error}{code}, 'field_not_option', '... and why');
$res = $ua->api('POST', 'tickets', { %bug, type => 'enhancement', fields => { desired_date => '31.12.2026' } });
is($res->{json}{error}{field}, 'fields.desired_date', 'a date not as YYYY-MM-DD: refused');
$res = $ua->api('POST', 'tickets', { %bug, fields => { desired_date => '2027-01-15' } });
is($res->{json}{error}{code}, 'field_unknown', "a field of another type's form: refused");
$res = $ua->api('POST', 'tickets', { %bug, fields => { entity => 'x' x 501 } });
is($res->{json}{error}{code}, 'field_too_long', 'a text over 500 characters: refused');
$res = $ua->api('POST', 'tickets', { %bug, fields => [ 'subtype' ] });
is($res->{json}{error}{code}, 'fields_not_object', 'fields that are not an object: refused');
is(scalar @{ $ua->api('GET', 'tickets')->{json}{tickets} }, $count, '... none of them made a ticket');

# --- an administrator's form: required fields --------------------------------------------

my ($rc, $out) = $t->cli('forms', 'set', 'technical', 'consultation', { stdin =>
    "# the module a question is about\n"
  . "module | select | required | Модуль | Module | budget: Бюджет / Budget; salary: Зарплата / Salary\n"
  . "contract_no | text | optional | Номер договора | Contract number\n" });
is($rc, 0, 'the CLI sets a form with a required list') or diag($out);
($rc, $out) = $t->cli('forms', 'set', 'technical', 'consultation', { stdin => "module | list | required | Модуль\n" });
isnt($rc, 0, 'a kind that is not one: refused');
like($out, qr/line 1/, '... naming the line');
($rc, $out) = $t->cli('forms', 'set', 'technical', 'sometimes', { stdin => "" });
isnt($rc, 0, 'a type that is not one: refused');
like($out, qr/"sometimes" is not a type/, '... in a sentence');
($rc, $out) = $t->cli('forms', 'list');
like($out, qr{^technical/consultation\tset\tmodule\*,contract_no$}m, 'the list shows it, the required one marked');
like($out, qr{^technical/bug\tdefault\tentity,identifying,steps$}m, '... and the defaults');

my %question = (%bug, type => 'consultation', subject => 'Как закрыть период?');
$res = $ua->api('POST', 'tickets', \%question);
is($res->{status}, 422, 'the required field left out: 422');
is($res->{json}{error}{field}, 'fields.module', '... naming it');
is($res->{json}{error}{code}, 'field_required', '... as required');
$res = $ua->api('POST', 'tickets', { %question, fields => { module => 'salary', subtype => 'other' } });
is($res->{status}, 201, 'given: created, with the category-wide subtype as well');
my $q1 = $res->{json}{number};

# --- the portal's form -------------------------------------------------------------------

my $page = $ua->get('/tickets/new')->{content};
like($page, qr{<fieldset class="field form-group" id="form-technical-consultation" data-category="technical" data-type="consultation">},
     'the new-ticket form has a group per form');
like($page, qr{<legend>Для обращений категории «[^»]+», тип «[^»]+»</legend>}, '... each saying whom it is for');
like($page, qr{<select id="f-technical-consultation-module" name="field\.technical\.consultation\.module"[^>]*><option value="">— выберите —</option><option value="budget">Бюджет</option>},
     '... a list with its Russian labels');
like($page, qr{<input id="f-technical-enhancement-desired_date" name="field\.technical\.enhancement\.desired_date" type="date"}, '... a date');
like($page, qr{<input type="checkbox" id="f-technical-any-certified" name="field\.technical\.any\.certified" value="1">}, '... a checkbox');
like($page, qr{Номер договора <span class="optional">}, '... the optional ones say so');
like($page, qr{static/forms\.js}, '... and the script that shows only the chosen ones');

my $csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_form('/tickets/new', { csrf => $csrf, %question, 'field.technical.consultation.contract_no' => 'Д-17' });
is($res->{status}, 422, 'the form without the required field: shown again');
like($res->{content}, qr{<select id="f-technical-consultation-module"[^>]*aria-invalid="true"}, '... the field marked');
like($res->{content}, qr{<p class="field-error" id="f-technical-consultation-module-error">Заполните это поле\.</p>}, '... with the message under it');
like($res->{content}, qr{value="Д-17"}, '... what was written is kept');

$res = $ua->post_form('/tickets/new', { csrf => $csrf, %question, type => 'enhancement',
    'field.technical.consultation.module' => '',             # another type's: not read
    'field.technical.enhancement.desired_date' => '2027-03-01',
    'field.technical.enhancement.entity' => 'Навигатор: Бюджет',
    'field.technical.any.subtype' => 'performance', 'field.technical.any.certified' => '1',
    'field.technical.bug.steps' => 'not read' });
is($res->{status}, 303, 'an enhancement with its fields: created') or diag($res->{content});
my ($e1) = $res->{headers}{location} =~ m{tickets/(\d+)/created};
$res = $ua->api('GET', "tickets/$e1");
is_deeply($res->{json}{fields}, { subtype => 'performance', certified => '1', entity => 'Навигатор: Бюджет',
                                   desired_date => '2027-03-01' },
          "... only the chosen type's and the category's fields are kept");

$page = $ua->get("/tickets/$e1")->{content};
like($page, qr{<h2 id="extra-heading">Дополнительные сведения</h2>}, 'the ticket page shows them');
like($page, qr{<dt>Желаемый срок реализации</dt><dd>01\.03\.2027</dd>}, '... the date as people write it');
like($page, qr{<dt>Подтип запроса</dt><dd>Производительность</dd>}, "... the option's label");
like($page, qr{<dt>Я использую сертифицированную версию продукта</dt><dd>да</dd>}, '... the mark as yes');

my $mail = $t->last_mail('ticket_created', 'ivan@example.com');
like($mail->{body}, qr{^Желаемый срок реализации: 01\.03\.2027$}m, "the confirmation e-mail repeats the extra fields");
like($mail->{body}, qr{^Подтип запроса: Производительность$}m, '... as the page says them');

# in English
my $en = $t->user('john', client => { lang => 'en' });
$page = $en->get('/tickets/new')->{content};
like($page, qr{<option value="budget">Budget</option>}, 'in English: the English labels');

# --- staff --------------------------------------------------------------------------------

$page = $admin->get("/staff/tickets/$e1")->{content};
like($page, qr{<dt>Сущность системы, для которой требуется доработка</dt><dd>Навигатор: Бюджет</dd>}, 'staff see the fields on the ticket');
$res = $admin->api('GET', "staff/tickets/$e1");
is($res->{json}{fields}{desired_date}, '2027-03-01', '... and in the staff API');

$page = $admin->get('/staff/tickets?status=any&field=module&field_value=salary')->{content};
like($page, qr{<option value="module" selected>Модуль</option>}, 'the queue filters by an extra field');
like($page, qr{href="[^"]*staff/tickets/$q1"}, '... showing the ticket with that value');
unlike($page, qr{href="[^"]*staff/tickets/$e1"}, '... and not the others');
$page = $admin->get('/staff/tickets?status=any&field=entity&field_value=%D0%B7%D0%B0%D1%80%D0%BF%D0%BB%D0%B0%D1%82%D0%B0')->{content};
unlike($page, qr{href="[^"]*staff/tickets/$e1"}, 'a text field: a word it lacks finds nothing');
$page = $admin->get('/staff/tickets?status=any&field=entity&field_value=%D0%91%D0%AE%D0%94%D0%96%D0%95%D0%A2')->{content};
like($page, qr{href="[^"]*staff/tickets/$e1"}, '... a word it has, in any case, finds it');
$res = $admin->api('GET', 'staff/tickets?status=any&field=certified&field_value=1');
my @marked = sort map { $_->{number} } @{ $res->{json}{tickets} };
is_deeply(\@marked, [ sort ($n, $e1) ], 'the API filters by the certified mark');

# staff correct a ticket's extra fields: the page's details form, filled
# with what the ticket has; checked as at creation; the audit says which
$page = $admin->get("/staff/tickets/$e1")->{content};
like($page, qr{<details class="card" id="details-edit">}, 'the staff page offers to correct the details');
like($page, qr{<input id="f-technical-enhancement-desired_date" name="field\.technical\.enhancement\.desired_date" type="date" value="2027-03-01"},
     '... filled with what the ticket has');
$csrf = $admin->form_csrf("/staff/tickets/$e1");
$res = $admin->post_form("/staff/tickets/$e1", { csrf => $csrf, fields_edit => 1,
    'field.technical.enhancement.desired_date' => '01.04.2027', 'field.technical.any.subtype' => 'performance' });
is($res->{status}, 422, 'a bad date: refused');
like($res->{content}, qr{<details class="card" id="details-edit" open>.*id="f-technical-enhancement-desired_date-error"}s,
     '... the form open, the error at the field');
is($admin->api('GET', "staff/tickets/$e1")->{json}{fields}{desired_date}, '2027-03-01', '... nothing changed');
$res = $admin->post_form("/staff/tickets/$e1", { csrf => $csrf, fields_edit => 1,
    'field.technical.enhancement.desired_date' => '2027-04-01', 'field.technical.enhancement.entity' => 'Навигатор: Бюджет',
    'field.technical.any.subtype' => 'compatibility', 'field.technical.any.certified' => '1' });
is($res->{status}, 303, 'corrected') or diag($res->{content});
my $got = $admin->api('GET', "staff/tickets/$e1")->{json};
is($got->{fields}{desired_date}, '2027-04-01', '... the new date kept');
is($got->{fields}{subtype}, 'compatibility', '... and the subtype');
like($admin->get("/staff/tickets/$e1")->{content}, qr{fields:  -&gt; subtype, desired_date|fields: +(?:-&gt;|→) subtype, desired_date},
     '... the audit names what changed');
$res = $admin->api('PATCH', "staff/tickets/$e1", { fields => { subtype => 'weather' } });
is($res->{json}{error}{field}, 'fields.subtype', 'the API checks a correction too');
$res = $admin->api('PATCH', "staff/tickets/$e1", { fields => { subtype => 'other', desired_date => '2027-05-01' } });
is($res->{status}, 200, 'the API corrects them (all of them: what it leaves out goes)');
is_deeply($admin->api('GET', "staff/tickets/$e1")->{json}{fields}, { subtype => 'other', desired_date => '2027-05-01' },
          '... as given');

# the staff's form for a phone call: the same fields, the same rules
$page = $admin->get("/staff/tickets/new?customer=$ua->{id}")->{content};
like($page, qr{name="field\.technical\.consultation\.module"}, "the staff's new-ticket form shows the extra fields");
$csrf = $admin->form_csrf("/staff/tickets/new?customer=$ua->{id}");
$res = $admin->post_multipart('/staff/tickets/new', { csrf => $csrf, customer => $ua->{id}, channel => 'phone', %question });
is($res->{status}, 422, '... and asks for the required one');
like($res->{content}, qr{id="f-technical-consultation-module-error"}, '... under it');
$res = $admin->post_multipart('/staff/tickets/new', { csrf => $csrf, customer => $ua->{id}, channel => 'phone', %question,
                                                      'field.technical.consultation.module' => 'budget' });
is($res->{status}, 303, '... given, the ticket is registered');
my ($phoned) = $res->{headers}{location} =~ m{/staff/tickets/(\d+)};
is($admin->api('GET', "staff/tickets/$phoned")->{json}{fields}{module}, 'budget', '... with it');

# --- the administrators' pages -----------------------------------------------------------------

$page = $admin->get('/admin/forms')->{content};
like($page, qr{href="/admin/forms/technical/consultation">[^<]+</a></td><td>Модуль \*; Номер договора</td><td>задана администратором</td>},
     'the forms page lists each form, its fields and where it comes from');
like($page, qr{href="/admin/forms/technical/bug">}, '... every one');

$csrf = $admin->form_csrf('/admin/forms/technical/bug');
$res = $admin->post_form('/admin/forms/technical/bug', { csrf => $csrf, text => "entity | text | required | Сущность | Entity | extra\n" });
is($res->{status}, 422, 'a definition with options on a text field: refused');
like($res->{content}, qr{Варианты бывают только у списка}, '... saying why');
($rc, $out) = $t->cli('forms', 'show', 'technical', 'bug');
like($out, qr/^entity \| text \| optional/, '... the form unchanged');

$res = $admin->post_form('/admin/forms/technical/bug', { csrf => $csrf,
    text => "entity | text | required | Сущность системы | System entity\n" });
is($res->{status}, 303, 'a good one: saved');
$res = $ua->api('POST', 'tickets', \%bug);
is($res->{json}{error}{field}, 'fields.entity', '... and now required');

$res = $admin->post_form('/admin/forms/technical/bug/reset', { csrf => $csrf });
is($res->{status}, 422, 'restoring the default asks to confirm first');
$res = $admin->post_form('/admin/forms/technical/bug/reset', { csrf => $csrf, confirm => 1 });
is($res->{status}, 303, 'confirmed: the built-in form again');
is($ua->api('POST', 'tickets', \%bug)->{status}, 201, '... optional fields again');

# the admin API
$res = $admin->api('PUT', 'admin/forms/feedback/any', { text => "store | text | optional | Магазин | Shop\n" });
is($res->{status}, 200, 'the admin API sets a form');
is($res->{json}{fields}[0]{name}, 'store', '... and answers it');
is($ua->api('PUT', 'admin/forms/feedback/any', { text => '' })->{status}, 403, '... customers may not');
is($admin->api('DELETE', 'admin/forms/feedback/any')->{status}, 200, '... and removes it');
is($admin->api('GET', 'admin/forms/weather/any')->{status}, 404, 'a form that is not one: 404');

$t->stop;
done_testing;
