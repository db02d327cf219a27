# Every page passes axe-core (issue 17, WCAG 2.2 AA): no serious or critical
# violation on a journey through the visitor's, the customer's, the staff's
# and the administrator's pages, in Russian and English, at 1280 and 390 px;
# each page within the weight budget (60 KB of HTML, 30 KB of CSS and
# JavaScript). Screenshots of each page are kept in build/screenshots/.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Path qw(make_path);
use Test::More;
use POSIX ();
use Helpdesk::Test;
use Helpdesk::Browser qw(browser_script);

my $hd = Helpdesk::Test->new->start;
my $type = $hd->catalog(limit => 3);
my $ua = $hd->user('asya', password => 'asya password 12',
                   email => 'asya.petrova-ivanova.accounting@romashka-long-company-domain.example.com',
                   name => 'Анастасия Петрова-Иванова');
my $cert = $hd->certificate($ua, $type);
my $admin = $hd->staff('boss', 'administrator');

my $n = $hd->ticket($ua, subject => 'Ошибка подписи 0x80090008', certificate => $cert);
# "My tickets" as a customer who has worked a while sees it: long subjects,
# every status, a colleague's ticket with its author
for my $i (1 .. 6) {
    my $m = $hd->ticket($ua, subject => "Не устанавливается КриптоПро CSP 5.0 R3 на Windows Server 2022 Datacenter (сборка $i)",
                        severity => 1 + $i % 4);
    $hd->staff_says($admin, $m, $i % 2 ? 'info_request' : 'solution', 'Уточните, пожалуйста.') if $i > 2;
}
$hd->staff_says($admin, $n, 'reply', 'Пришлите, пожалуйста, журнал.');
$ua->api('POST', "tickets/$n/messages", { body => 'Журнал во вложении.' });
$hd->staff_says($admin, $n, 'solution', 'Обновите КриптоПро CSP до 5.0 R3.');

my $res = $admin->api('POST', 'staff/kb/articles',
    { title => 'Ошибка 0x80090008 при подписи', body => "## Причина\n\nУстаревшая версия.\n\n1. Обновите\n2. Перезапустите",
      language => 'ru', audience => 'public', state => 'published' });
die "article: $res->{content}" unless $res->{status} == 201;
my $article = $res->{json}{id};
# a file, so that the edit page's list of files and the article's
# attachments are on the pages checked
$res = $admin->post_multipart("staff/kb/articles/$article/files", {},
    [ [ 'attachments', 'журнал.txt', "строка\n", 'text/plain' ] ], api => 1);
die "file: $res->{content}" unless $res->{status} == 201;
# an edition of the regulations coming, so that its page has one to show
$res = $admin->api('POST', 'admin/regulations',
    { body_ru => "# Регламент\n\nОбращения принимаются круглосуточно.", body_en => "# Regulations\n\nAround the clock.",
      effective => POSIX::strftime('%Y-%m-%d', gmtime(time + 20 * 86400)) });
die "regulations: $res->{content}" unless $res->{status} == 201;

# an MSA contract of asya's company, for its activation page; its
# licence, registered again by a visitor, makes the licence-conflict page
my ($rc, $out) = $hd->cli('cert-types', 'add', '--name', 'MSA Business', '--product', 'КриптоПро CSP',
                          '--term', 12, '--kind', 'contract', '--limit', 5, '--level', 'msa_business',
                          '--premium', 10, '--contacts', 2, '--department', 1);
die "cert-types: $out" if $rc;
my ($msa_type) = $out =~ /certificate type (\d+)/;
die "company" unless $ua->api('POST', 'company', { name => 'ООО «Доступ»' })->{status} == 201;
my ($lic) = $hd->issue($msa_type);
$res = $ua->api('POST', 'certificates', { number => $lic->[0], code => $lic->[1], holder => 'company' });
die "licence: $res->{content}" unless $res->{status} == 201;

my $shots = "$Helpdesk::Test::BUILD/screenshots";
make_path($shots);

browser_script('a11y.mjs', $hd->url('/'), 'asya', 'asya password 12', 'boss', 'boss-password-1',
               $n, $article, $shots, "$Helpdesk::Test::ROOT/t/browser/node_modules/axe-core/axe.min.js",
               $lic->[0], $lic->[1]);
$hd->finish;

done_testing;
