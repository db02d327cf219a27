# Products and certificate types (SPEC §4): the CLI, the administration
# pages and API; only administrators manage them.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;

# the CLI
my ($rc, $out) = $hd->cli('departments', 'list');
like($out, qr/^1\tБазовая поддержка$/m, 'a new data directory has the departments of SPEC §5.4');
like($out, qr/^3\tСервис-менеджеры\t\(feedback\)$/m, '... the service managers taking feedback');

($rc, $out) = $hd->cli('products', 'add', 'СКЗИ «КриптоПро CSP»', '--versions', '4.0,5.0');
is($rc, 0, 'helpdesk products add');
($rc, $out) = $hd->cli('products', 'add', 'скзи «криптопро csp»');
isnt($rc, 0, 'a product name taken in another case is refused');
like($out, qr/name: This name is taken\./, '... saying so, in words');
($rc, $out) = $hd->cli('products', 'edit', '1', '--versions', '4.0,5.0,5.0 R3');
is($rc, 0, 'helpdesk products edit');
($rc, $out) = $hd->cli('products', 'list');
like($out, qr/^1\tСКЗИ «КриптоПро CSP»\t4\.0,5\.0,5\.0 R3$/m, 'helpdesk products list shows it');

($rc, $out) = $hd->cli(qw(cert-types add --name), 'Сертификат на ТП (3 года)',
                       qw(--product 1 --term 36 --kind certificate --limit 2 --level standard --premium 0),
                       '--department', 'Базовая поддержка');
is($rc, 0, 'helpdesk cert-types add (department by name)') or diag($out);
($rc, $out) = $hd->cli(qw(cert-types add --name Bad --product 7 --term 0 --limit 0 --level gold --premium 3 --department 9));
isnt($rc, 0, 'a bad type is refused');
like($out, qr/product: Choose a product\..*term_months: The term is 1 to 120 months\..*ticket_limit: The limit is 1 to 1000\..*level: Unknown support level\..*department: /s,
     '... naming every bad field');
($rc, $out) = $hd->cli(qw(cert-types add --name Bad --product 1 --term 12 --limit 1 --premium -3));
is($rc, 2, 'a negative premium count is refused');
like($out, qr/--premium: not a valid number "-3"/, '... naming the option and the value');
($rc, $out) = $hd->cli('cert-types', 'edit', '1', '--premium', 'unlimited', '--level', 'msa_enterprise');
is($rc, 0, 'helpdesk cert-types edit');
($rc, $out) = $hd->cli('cert-types', 'list');
like($out, qr/^1\tСертификат на ТП \(3 года\)\tproduct 1\t36 months\tcertificate\tlimit 2\tmsa_enterprise\tpremium unlimited\tdepartment 1$/m,
     'helpdesk cert-types list shows it');

# the administration: only administrators
my $admin = $hd->staff('root');
my $agent = $hd->staff('agent1', 'agent');
my $customer = $hd->user('cust');

is($admin->get('/admin')->{status}, 200, 'the administration page for an administrator');
is($customer->get('/admin/products')->{status}, 403, 'a customer gets 403');
is($agent->get('/admin/products')->{status}, 403, 'an agent too');
is($customer->api('GET', 'admin/products')->{status}, 403, 'the API: 403 for a customer');
is($hd->client->get('/admin')->{status}, 303, 'a visitor is sent to log in');

my $res = $admin->api('GET', 'admin/products');
is($res->{json}{products}[0]{name}, 'СКЗИ «КриптоПро CSP»', 'GET /admin/products');
is_deeply($res->{json}{products}[0]{versions}, [ '4.0', '5.0', '5.0 R3' ], '... with its versions');

$res = $admin->api('POST', 'admin/products', { name => 'Континент-АП', versions => [ '4.1', '4.2' ] });
is($res->{status}, 201, 'POST /admin/products');
my $pid = $res->{json}{id};
$res = $admin->api('PATCH', "admin/products/$pid", { versions => [ '4.2' ] });
is($res->{status}, 200, 'PATCH /admin/products/{id}');
is($res->{json}{name}, 'Континент-АП', '... keeping what it did not change');
is_deeply($res->{json}{versions}, [ '4.2' ], '... changing what it did');
$res = $admin->api('POST', 'admin/products', { name => '' });
is($res->{status}, 422, 'a product without a name is refused');
is($res->{json}{error}{field}, 'name', '... naming the field');
is($admin->api('PATCH', 'admin/products/999', { name => 'x' })->{status}, 404, 'an unknown product is a 404');

$res = $admin->api('POST', 'admin/cert-types', {
    name => 'Договор MSA Enterprise', product => $pid, term_months => 12, kind => 'contract',
    ticket_limit => 10, level => 'msa_enterprise', premium_per_year => 'unlimited', department => 2 });
is($res->{status}, 201, 'POST /admin/cert-types') or diag($res->{content});
is($res->{json}{premium_per_year}, 'unlimited', '... unlimited premium incidents');
is($res->{json}{kind}, 'contract', '... a contract');
my $tid = $res->{json}{id};
$res = $admin->api('PATCH', "admin/cert-types/$tid", { ticket_limit => 20 });
is($res->{json}{ticket_limit}, 20, 'PATCH /admin/cert-types/{id}');
is($res->{json}{level}, 'msa_enterprise', '... keeping the rest');
$res = $admin->api('POST', 'admin/cert-types', { name => 'X', product => $pid, term_months => 'soon',
                                                 ticket_limit => 1, department => 1 });
is($res->{status}, 422, 'a term that is not a number is refused');
is($res->{json}{error}{field}, 'term_months', '... naming it');

# the pages
my $page = $admin->get('/admin/products');
like($page->{content}, qr/Континент-АП/, 'the products page lists them');
my ($csrf) = $page->{content} =~ /name="csrf" value="([^"]+)"/;
$res = $admin->post_form('/admin/products', { csrf => $csrf, name => 'Jinn-Client', versions => "1.0\n2.0" });
is($res->{status}, 303, 'a product added through the form');
like($admin->get('/admin/products?notice=saved')->{content}, qr/Jinn-Client/, '... is listed');
$res = $admin->post_form('/admin/products', { csrf => $csrf, name => 'jinn-client', versions => '' });
is($res->{status}, 409, 'a taken name through the form');
like($res->{content}, qr/name="name"[^>]*aria-invalid="true"/, '... marks the field');

$page = $admin->get("/admin/cert-types/$tid");
is($page->{status}, 200, 'a type\'s edit page');
like($page->{content}, qr/value="Договор MSA Enterprise"/, '... filled in');
like($page->{content}, qr/<option value="msa_enterprise" selected>/, '... with its level selected');
$res = $admin->post_form("/admin/cert-types/$tid", { csrf => $csrf, name => 'Договор MSA Enterprise', product => $pid,
                                                     term_months => 24, kind => 'contract', ticket_limit => 20,
                                                     level => 'msa_enterprise', premium_per_year => 'unlimited',
                                                     department => 2 });
is($res->{status}, 303, 'saved through the form');
($rc, $out) = $hd->cli('cert-types', 'list');
like($out, qr/Договор MSA Enterprise\tproduct $pid\t24 months/, '... the CLI sees the change');

($rc, $out) = $hd->cli('check');
like($out, qr/^consistent$/m, 'the database is consistent');

$hd->finish;

done_testing;
