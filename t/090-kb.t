# The knowledge base (SPEC §8, §9): articles written by staff with the
# right, found in Russian and English whatever the form of the word, by
# error codes, with a typo, as one types; ranked with the title first; what
# a reader may not see exists nowhere for them; Markdown rendered safely;
# votes, views, revisions; suggestions recorded on the ticket they were
# shown for, repeated on its page and in its mail; "this solved my
# problem"; the report of what was looked for in vain.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes qw(sleep);
use URI::Escape qw(uri_escape_utf8);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
$t->start;

my $admin = $t->staff('boss', 'administrator');
my $agent = $t->staff('agent', 'agent');
my $visitor = $t->client;
my $ivan = $t->user('ivan');

sub q_ { uri_escape_utf8($_[0]) }
sub titles { [ map { $_->{title} } @{ $_[0]{json}{articles} // [] } ] }

# --- who may write ------------------------------------------------------

my $res = $agent->api('POST', 'staff/kb/articles', { title => 'T', body => 'B' });
is($res->{status}, 403, 'an agent without the right may not write');
is($res->{json}{error}{code}, 'kb_edit_forbidden', 'and is told why');
$res = $admin->api('PATCH', "admin/staff/$agent->{id}", { kb_editor => JSON::PP::true });
is($res->{status}, 200, 'the administrator grants the right');
ok($res->{json}{kb_editor}, 'the staff list says so');
$res = $agent->api('POST', 'staff/kb/articles',
                   { title => 'Проверка', body => 'Текст', language => 'ru', audience => 'public',
                     state => 'draft' });
is($res->{status}, 201, 'now the agent writes');
my $draft = $res->{json}{id};
$res = $ivan->api('POST', 'staff/kb/articles', { title => 'T', body => 'B' });
is($res->{status}, 403, 'customers never');

# --- bad input: the field named, nothing stored ---------------------------

for my $case ([{ body => 'x' }, 'title'], [{ title => 'x' }, 'body'],
              [{ title => 'x', body => 'y', audience => 'everyone' }, 'audience'],
              [{ title => 'x', body => 'y', state => 'live' }, 'state'],
              [{ title => 'x', body => 'y', language => 'de' }, 'language'],
              [{ title => 'x', body => 'y', products => [999] }, 'products'],
              [{ title => 'x', body => 'y', products => 'abc' }, 'products'],
              [{ title => 'x', body => 'y', related => [$draft + 1000] }, 'related'],
              [{ title => 'x', body => 'y', tags => { a => 1 } }, 'tags']) {
    $res = $admin->api('POST', 'staff/kb/articles', $case->[0]);
    is($res->{status}, 422, "422 without a good $case->[1]");
    is($res->{json}{error}{field}, $case->[1], "the field $case->[1] is named");
}
$res = $admin->api('GET', 'staff/kb/articles');
is($res->{json}{total}, 1, 'nothing was stored by the bad ones');

# --- a corpus ------------------------------------------------------------

my ($rc, $out) = $t->cli('products', 'add', 'КриптоПро CSP', '--versions', '4.0,5.0');
my ($csp) = map { 0 + $_ } $out =~ /product (\d+)/;
($rc, $out) = $t->cli('products', 'add', 'Kaspersky Endpoint Security', '--versions', '12');
my ($kes) = map { 0 + $_ } $out =~ /product (\d+)/;
ok($csp && $kes, 'two products');

my @corpus = (
    # [key, title, body, language, audience, products, tags]
    [sign_ru => 'Не подписывается документ в КриптоПро CSP',
     "Если документ не подписывается, проверьте, что сертификат установлен в хранилище.\n\n"
     . "Подпись требует закрытого ключа.", 'ru', 'public', [$csp], 'подпись, ЭП'],
    [problem_ru => 'Проблема с лицензией после обновления',
     'После обновления проблема с лицензией решается повторным вводом серийного номера.',
     'ru', 'public', [$csp], 'лицензия'],
    [problems_ru => 'Известные проблемы версии 5.0',
     "Список известных проблем: медленная работа на старых процессорах, ошибки установки.\n"
     . "С проблемой установки помогает запуск от имени администратора.", 'ru', 'public', [$csp], ''],
    [cert_ru => 'Как установить сертификат',
     'Откройте свойства сертификата и нажмите «Установить». Установка сертификата в личное хранилище.',
     'ru', 'public', [$csp], 'сертификат'],
    [cert_chain => 'Цепочка сертификатов не построена',
     'Если цепочка сертификата не построена, установите корневой сертификат удостоверяющего центра.',
     'ru', 'public', [$csp], ''],
    [code => 'Ошибка 0x80090008 при подписи',
     "Код 0x80090008 означает неверный алгоритм. Обновите CSP до версии 5.0.12000.",
     'ru', 'public', [$csp], ''],
    [code2 => 'Ошибка 0x8009001d',
     'Код 0x8009001d: провайдер не загружен. Переустановите КриптоПро CSP.', 'ru', 'public', [$csp], ''],
    [sign_en => 'Signing a document fails',
     'When signing fails, check that the certificate is installed and the private key is available.',
     'en', 'public', [$csp], 'signature'],
    [signed_en => 'How to check that a file is signed',
     'A signed file has a detached signature next to it. Verify it in the CSP tools.',
     'en', 'public', [$csp], ''],
    [sign_verb => 'Sign PDF files in bulk', 'To sign many PDF files at once use the batch tool.',
     'en', 'public', [$csp], ''],
    [kes_update => 'Обновление баз Kaspersky Endpoint Security',
     'Базы обновляются каждый час. Если обновление не проходит, проверьте подключение к серверу.',
     'ru', 'public', [$kes], 'обновление'],
    [kes_license => 'Лицензия Kaspersky Endpoint Security истекла',
     'Продлите лицензию в личном кабинете и активируйте новый ключ.', 'ru', 'public', [$kes], ''],
    [kes_install => 'Установка Kaspersky Endpoint Security на сервер',
     'Перед установкой удалите другие антивирусы. Установка требует перезагрузки.', 'ru', 'public', [$kes], ''],
    [internal => 'Внутренняя инструкция: сброс лицензии на сервере',
     'Только для сотрудников: секретная процедура сброса лицензии через консоль администратора.',
     'ru', 'internal', [$csp], 'секрет'],
    [customers => 'Персональная скидка на продление для клиентов',
     'Клиенты с действующим сертификатом получают скидку на продление.', 'ru', 'customers', [$csp], ''],
    [draft_secret => 'Черновик о неизданной версии 6.0', 'Версия 6.0 выйдет позднее. Черновик.',
     'ru', 'public', [$csp], ''],
    [xss => 'Статья с опасной разметкой',
     "Текст <script>alert('x')</script> и <img src=x onerror=alert(1)> и [ссылка](javascript:alert(1))"
     . " и [почта](vbscript:msgbox) и ![картинка](javascript:alert(2)) и <a href=\"javascript:alert(3)\">a</a>",
     'ru', 'public', [], ''],
    [browser => 'Настройка браузера для работы с ЭП',
     'Включите плагин в браузере и добавьте сайт в доверенные узлы.', 'ru', 'public', [$csp], ''],
    [token => 'Токен не определяется', 'Если токен не определяется, переустановите драйвер Рутокен.',
     'ru', 'public', [$csp], 'токен'],
    [container => 'Скопировать контейнер закрытого ключа',
     'Контейнер копируется через вкладку «Сервис» программы КриптоПро CSP.', 'ru', 'public', [$csp], ''],
    [password => 'Забыт пароль от контейнера', 'Пароль от контейнера восстановить нельзя: выпустите новый ключ.',
     'ru', 'public', [$csp], ''],
    [win => 'Работа в Windows 11', 'КриптоПро CSP 5.0 поддерживает Windows 11.', 'ru', 'public', [$csp], ''],
    [linux => 'Установка на Linux', 'Пакеты для Debian и RPM-систем устанавливаются скриптом install.sh.',
     'ru', 'public', [$csp], ''],
    [mac => 'Installing on macOS', 'Download the dmg package and run the installer.', 'en', 'public', [$csp], ''],
    [proxy => 'Настройка прокси для обновлений', 'Укажите адрес прокси-сервера в параметрах обновления.',
     'ru', 'public', [$kes], ''],
    [quarantine => 'Файл помещён на карантин', 'Восстановите файл из карантина, если он безопасен.',
     'ru', 'public', [$kes], ''],
    [scan => 'Полная проверка компьютера', 'Запустите полную проверку из главного окна.', 'ru', 'public', [$kes], ''],
    [events => 'Где найти журнал событий', 'Журнал событий открывается в разделе «Отчёты».', 'ru', 'public', [$kes], ''],
    [uninstall => 'Удаление программы', 'Удалите программу через «Программы и компоненты».', 'ru', 'public', [$kes], ''],
    [archived => 'Устаревшая статья про версию 3.6', 'Версия 3.6 больше не поддерживается.', 'ru', 'public', [$csp], ''],
);

my %id;
for my $a (@corpus) {
    my ($key, $title, $body, $lang, $aud, $prods, $tags) = @$a;
    my $state = $key eq 'draft_secret' ? 'draft' : $key eq 'archived' ? 'archived' : 'published';
    $res = $admin->api('POST', 'staff/kb/articles',
                       { title => $title, body => $body, language => $lang, audience => $aud,
                         state => $state, products => $prods, tags => $tags });
    is($res->{status}, 201, "article $key") or diag $res->{content};
    $id{$key} = $res->{json}{id};
}
is(scalar(keys %id), 30, 'a corpus of 30 articles');

sub search { my ($ua, $q, %o) = @_;
             my $extra = join '', map { "&$_=" . q_($o{$_}) } sort keys %o;
             $ua->api('GET', 'kb/search?q=' . q_($q) . $extra) }
sub found { my ($ua, $q) = @_; [ map { $_->{id} } @{ search($ua, $q)->{json}{articles} } ] }
sub has { my ($list, $id) = @_; scalar grep { $_ == $id } @$list }

# --- morphology ------------------------------------------------------------

for my $q ('проблема', 'проблемы', 'проблемой', 'проблемами') {
    my $f = found($visitor, $q);
    ok(has($f, $id{problem_ru}) && has($f, $id{problems_ru}), "«$q» finds both articles on problems");
}
for my $q ('подписать', 'подписывается', 'подпись') {
    ok(has(found($visitor, $q), $id{sign_ru}), "«$q» finds «Не подписывается документ»");
}
for my $q ('сертификат', 'сертификата', 'сертификатов') {
    my $f = found($visitor, $q);
    ok(has($f, $id{cert_ru}) && has($f, $id{cert_chain}), "«$q» finds the certificate articles");
}
for my $q ('sign', 'signing', 'signed') {
    my $f = found($visitor, $q);
    ok(has($f, $id{sign_en}) && has($f, $id{signed_en}) && has($f, $id{sign_verb}),
       "«$q» finds sign, signing and signed");
}
ok(has(found($visitor, 'СЕРТИФИКАТ'), $id{cert_ru}), 'case does not matter');
ok(has(found($visitor, 'удалённо установка ёлка'), $id{kes_install}), 'ё and е are one letter, any word will do');

# --- ranking ---------------------------------------------------------------

$res = search($visitor, 'сертификат');
is($res->{json}{articles}[0]{id}, $id{cert_ru}, 'the title that is the query ranks first');
$res = search($visitor, 'лицензия Kaspersky');
is($res->{json}{articles}[0]{id}, $id{kes_license}, 'all the words in the title rank first');
$res = search($visitor, 'установка');
my @order = map { $_->{id} } @{ $res->{json}{articles} };
my ($pos_title) = grep { $order[$_] == $id{cert_ru} || $order[$_] == $id{linux} || $order[$_] == $id{kes_install} } 0 .. $#order;
is($pos_title, 0, 'a title with the word before a body with it');
ok($res->{json}{total} >= 4, 'and the bodies with it after');

# --- codes, typos, prefixes ------------------------------------------------

$res = search($visitor, '0x80090008');
is_deeply([ map { $_->{id} } @{ $res->{json}{articles} } ], [$id{code}], 'an error code finds its article only');
like($res->{json}{articles}[0]{snippet_html}, qr{<mark>0x80090008</mark>}, 'the code is marked in the snippet');
ok(has(found($visitor, '5.0.12000'), $id{code}), 'a version number is one word');
ok(!has(found($visitor, '0x8009'), $id{code}), 'a code is not found by its start in a search');
ok(has(found($visitor, 'сертифкат'), $id{cert_ru}), 'one typo forgiven (a letter missing)');
ok(has(found($visitor, 'контейнир'), $id{container}), 'one typo forgiven (a letter wrong)');
is(search($visitor, 'ксд')->{json}{total}, 0, 'short words are not guessed');
$res = $visitor->api('GET', 'kb/suggest?q=' . q_('Не подписыв'));
is($res->{status}, 200, 'suggest answers');
ok(grep({ $_->{id} == $id{sign_ru} } @{ $res->{json}{articles} }), 'the last word counts as typed so far');

# what the form sends as one types: the subject and the start of a long
# description (hundreds of Cyrillic letters) is searched, not refused
my $long = 'Не подписывается документ ' . ('при подписании выходит ошибка контейнера ' x 20);
$res = $visitor->api('GET', 'kb/suggest?q=' . q_($long));
is($res->{status}, 200, 'a long query (' . length($long) . ' characters) is taken');
ok(grep({ $_->{id} == $id{sign_ru} } @{ $res->{json}{articles} }), '... its first words searched');
$res = $visitor->api('GET', 'kb/suggest?q=' . q_('x' x 6000));
is($res->{status}, 400, 'a query no form sends (6,000 characters) is refused');
is($res->{json}{error}{field}, 'q', '... naming it');

# a reader of Russian is suggested and listed Russian articles only
my $ru_reader = $t->client(lang => 'ru');
$res = $ru_reader->api('GET', 'kb/suggest?q=' . q_('sign document'));
ok(!grep({ $_->{id} == $id{sign_en} } @{ $res->{json}{articles} }),
   'a Russian reader is not suggested an English article');
$res = $ru_reader->api('GET', 'kb/articles?per_page=100');
ok(!grep({ $_->{language} ne 'ru' } @{ $res->{json}{articles} }), '... nor listed one');
my $en_reader = $t->client(lang => 'en');
$res = $en_reader->api('GET', 'kb/suggest?q=' . q_('sign document'));
ok(grep({ $_->{id} == $id{sign_en} } @{ $res->{json}{articles} }), 'a reader of English is');
ok(@{ $res->{json}{articles} } <= 5, 'a few suggestions only');
is_deeply([sort keys %{ $res->{json}{articles}[0] }], [qw(id title url)], 'suggestions: id, title, url');

# --- filters ---------------------------------------------------------------

$res = search($visitor, 'установка', product => $kes);
ok(@{ $res->{json}{articles} } && !grep({ $_->{id} != $id{kes_install} } @{ $res->{json}{articles} }),
   'by product');
$res = search($visitor, 'file', language => 'en');
ok(!grep({ $_->{language} ne 'en' } @{ $res->{json}{articles} }), 'by language');
$res = $visitor->api('GET', "kb/articles?product=$kes");
is($res->{json}{total}, 8, "the list by product: Kaspersky's eight");
$res = $visitor->api('GET', 'kb/articles?language=de');
is($res->{status}, 400, 'a language that is not there');
is($res->{json}{error}{field}, 'language', 'is named');

# --- what readers may not see ------------------------------------------------

my $hidden_words = 'секретная процедура сброса лицензии';
for my $who ([visitor => $visitor], [customer => $ivan]) {
    my ($name, $ua) = @$who;
    is($ua->api('GET', "kb/articles/$id{internal}")->{status}, 404, "$name: internal article is 404 in the API");
    is($ua->get("kb/$id{internal}")->{status}, 404, "$name: and as a page");
    ok(!has(found($ua, $hidden_words), $id{internal}), "$name: never in a search");
    $res = $ua->api('GET', 'kb/suggest?q=' . q_('секретная процедура'));
    ok(!grep({ $_->{id} == $id{internal} } @{ $res->{json}{articles} }), "$name: nor in suggestions");
    $res = $ua->api('GET', 'kb/articles?per_page=100');
    ok(!grep({ $_->{id} == $id{internal} } @{ $res->{json}{articles} }), "$name: nor in the list");
    ok($ua->get('kb/search?q=' . q_($hidden_words))->{content} !~ /Внутренняя инструкция/,
       "$name: nor on the search page");
    for my $k (qw(draft_secret archived)) {
        is($ua->api('GET', "kb/articles/$id{$k}")->{status}, 404, "$name: $k is 404");
        ok(!has(found($ua, $k eq 'archived' ? 'Устаревшая статья' : 'неизданной версии'), $id{$k}),
           "$name: $k not found");
    }
    is($ua->api('POST', "kb/articles/$id{internal}/vote", { helpful => JSON::PP::true })->{status}, 404,
       "$name: nobody votes on what they cannot read");
}
is($visitor->api('GET', "kb/articles/$id{customers}")->{status}, 404, 'an article for customers is not for visitors');
is($ivan->api('GET', "kb/articles/$id{customers}")->{status}, 200, 'but for customers');
ok(has(found($ivan, 'скидка продление'), $id{customers}), 'customers find it');
ok(!has(found($visitor, 'скидка продление'), $id{customers}), 'visitors do not');
ok(has(found($agent, $hidden_words), $id{internal}), 'staff find internal articles');
is($agent->api('GET', "kb/articles/$id{internal}")->{status}, 200, 'and read them');

# --- Markdown, safely ------------------------------------------------------

$res = $visitor->api('GET', "kb/articles/$id{xss}");
my $html = $res->{json}{body_html};
unlike($html, qr/<script/i, 'no raw script');
unlike($html, qr/<img[^>]*onerror/i, 'no image with onerror');
unlike($html, qr/javascript:|vbscript:/i, 'no javascript: or vbscript: links');
like($html, qr/raw HTML omitted/, 'raw HTML is left out, visibly to the author');
my $page = $visitor->get("kb/$id{xss}-statya-s-opasnoy-razmetkoy")->{content};
unlike($page, qr/<script>alert|onerror=alert|href="javascript/i, 'the page neither');
$res = $visitor->api('GET', "kb/articles/$id{sign_ru}");
is_deeply([sort grep { !/^(body|revision|created|not_helpful|state|versions|related|url|files)$/ } keys %{ $res->{json} }],
          [sort qw(id title body_html language audience products tags updated views helpful)],
          'an article in the API: the contract\'s fields');

# --- pages ------------------------------------------------------------------

$res = $visitor->get("kb/$id{sign_ru}");
is($res->{status}, 301, 'an address without the slug moves for good');
like($res->{headers}{location}, qr{/kb/$id{sign_ru}-ne-podpisyvaetsya-dokument-v-kriptopro-csp$}, 'to the permanent one');
$res = $visitor->get("kb/$id{sign_ru}-ne-podpisyvaetsya-dokument-v-kriptopro-csp");
is($res->{status}, 200, 'the article page');
like($res->{content}, qr{<h1>Не подписывается документ в КриптоПро CSP</h1>}, 'with its title');
like($res->{content}, qr/Статья помогла\?/, 'and "was this helpful?"');
$res = $visitor->get('kb');
like($res->{content}, qr{href="/kb\?product=$kes"[^>]*>Kaspersky Endpoint Security</a>}, 'categories by product');
unlike($res->{content}, qr/Внутренняя инструкция|Черновик о/, 'nothing hidden on the index');
like($visitor->get('')->{content}, qr{href="/kb"}, 'the header links the knowledge base');
$res = $visitor->get('kb/search?q=' . q_('подписать документ'));
like($res->{content}, qr{<mark>подписывается</mark>}, 'snippets mark the words found');
is($visitor->get('kb/999999-nothing')->{status}, 404, 'no such article');
is($visitor->get('kb/abc')->{status}, 404, 'no such address');

# --- votes and views ---------------------------------------------------------

my $v = $id{token};
$res = $visitor->api('POST', "kb/articles/$v/vote", { helpful => JSON::PP::true });
is_deeply([$res->{status}, $res->{json}{helpful}, $res->{json}{not_helpful}], [200, 1, 0], 'a visitor finds it helpful');
$res = $visitor->api('POST', "kb/articles/$v/vote", { helpful => JSON::PP::true });
is($res->{json}{helpful}, 1, 'the same vote twice counts once');
$res = $visitor->api('POST', "kb/articles/$v/vote", { helpful => JSON::PP::false });
is_deeply([$res->{json}{helpful}, $res->{json}{not_helpful}], [0, 1], 'a changed mind replaces the vote');
$res = $ivan->api('POST', "kb/articles/$v/vote", { helpful => JSON::PP::true });
is_deeply([$res->{json}{helpful}, $res->{json}{not_helpful}], [1, 1], 'another reader votes too');
$res = $ivan->api('POST', "kb/articles/$v/vote", { helpful => JSON::PP::false },
                  headers => { 'X-CSRF-Token' => '' });
is($res->{status}, 403, 'a session\'s vote without its CSRF token is refused (as every other write)');
is($res->{json}{error}{code}, 'csrf_invalid', '... saying why');
$res = $ivan->api('POST', "kb/articles/$v/vote", { helpful => 'maybe' });
is($res->{status}, 422, 'a vote is yes or no');
is($res->{json}{error}{field}, 'helpful', 'the field is named');
my $csrf = $visitor->form_csrf("kb/$v-token-ne-opredelyaetsya");
$res = $visitor->post_form("kb/$v/vote", { csrf => $csrf, helpful => 1 });
is($res->{status}, 303, 'the page form votes');
like($res->{headers}{location} // '', qr{/kb/$v-token-ne-opredelyaetsya\?notice=kb_voted$}, 'back to the article');
like($visitor->get($res->{headers}{location})->{content}, qr/Спасибо за оценку/, 'which thanks');
$visitor->get("kb/$id{scan}-polnaya-proverka-kompyutera") for 1 .. 3;
my $views;
for (1 .. 30) {
    $views = $admin->api('GET', "kb/articles/$id{scan}")->{json}{views};
    last if $views >= 3;
    sleep 0.3;
}
ok($views >= 3, "views are counted ($views)");

# --- revisions --------------------------------------------------------------

$res = $admin->api('PATCH', "staff/kb/articles/$id{win}", { body => "КриптоПро CSP 5.0 поддерживает Windows 11.\nИ Windows Server 2022." });
is_deeply([$res->{status}, $res->{json}{revision}], [200, 2], 'an edit is a new revision');
$res = $admin->api('GET', "staff/kb/articles/$id{win}/revisions");
is(scalar @{ $res->{json}{revisions} }, 2, 'both kept');
is($res->{json}{revisions}[0]{revision}, 2, 'newest first');
$page = $admin->get("staff/kb/$id{win}/history")->{content};
like($page, qr{<ins>\+ И Windows Server 2022\.</ins>}, 'the difference is shown');
ok(has(found($visitor, 'Server 2022'), $id{win}), 'the index follows the edit');
$res = $admin->api('PATCH', "staff/kb/articles/$id{win}", { state => 'archived' });
ok(!has(found($visitor, 'Windows'), $id{win}), 'an archived article leaves the search');
is($res->{json}{revision}, 3, 'and is a revision too');
$res = $admin->api('PATCH', "staff/kb/articles/999999", { state => 'draft' });
is($res->{status}, 404, 'no such article to edit');

# --- the editor page and its preview ------------------------------------------

$page = $admin->get('staff/kb/new')->{content};
like($page, qr{<textarea id="body" name="body"}, 'the editor');
$csrf = $admin->form_csrf('staff/kb/new');
$res = $admin->post_form('staff/kb/new', { csrf => $csrf, title => 'Новая', body => "**жирный** <b>x</b>",
                                           language => 'ru', audience => 'public', state => 'draft',
                                           preview => 1 });
is($res->{status}, 200, 'a preview is the page again');
like($res->{content}, qr{<strong>жирный</strong>}, 'with the text as readers will see it');
unlike($res->{content}, qr{<b>x</b>}, 'without its raw HTML');
is($admin->api('GET', 'staff/kb/articles')->{json}{total}, 29, 'and nothing saved (31 less the two archived)');
$res = $admin->api('POST', 'staff/kb/preview', { body => '# Заголовок' });
is($res->{json}{html}, "<h1>Заголовок</h1>\n", 'the live preview answers HTML');
$res = $admin->post_form('staff/kb/new', { csrf => $csrf, title => 'Из формы', body => 'Текст из формы',
                                           language => 'ru', audience => 'customers', state => 'published',
                                           "product_$csp" => 1, tags => 'форма' });
is($res->{status}, 303, 'the form saves');
my ($new) = ($res->{headers}{location} // '') =~ m{staff/kb/(\d+)/edit};
$res = $admin->api('GET', "kb/articles/$new");
is_deeply([$res->{json}{audience}, $res->{json}{products}, $res->{json}{tags}], ['customers', [$csp], ['форма']],
          'with what the form said');

# --- suggestions on a ticket ----------------------------------------------------

my $n = $t->ticket($ivan, subject => 'Токен не определяется после обновления', description => 'Рутокен не виден');
$res = $agent->api('GET', "staff/tickets/$n");
ok(grep({ $_->{id} == $id{token} } @{ $res->{json}{kb_suggestions} }), 'staff see what the customer was shown');
like($agent->get("staff/tickets/$n")->{content}, qr{id="kb-suggestions".*Токен не определяется}s, 'on the page too');
like($ivan->get("tickets/$n/created")->{content}, qr{id="kb-shown".*Токен не определяется}s,
     'the confirmation page repeats them');
my $mail = $t->last_mail('ticket_created', 'ivan@example.com');
like($mail->{body}, qr{Токен не определяется}, 'and the creation mail');
like($mail->{body}, qr{/kb/$id{token}-token-ne-opredelyaetsya}, 'with the link');
$n = $t->ticket($ivan, subject => 'секретная процедура сброса лицензии', description => 'консоль');
$res = $agent->api('GET', "staff/tickets/$n");
ok(!grep({ $_->{id} == $id{internal} } @{ $res->{json}{kb_suggestions} }), 'internal articles are never suggested to customers');

# the ids a form says it showed: never the title of what the customer may not read
$csrf = $ivan->form_csrf('tickets/new');
$res = $ivan->post_multipart('tickets/new', { csrf => $csrf, subject => 'Что-то своё', description => 'Текст',
                                              articles => "$id{internal},$id{token}", category => 'technical',
                                              type => 'consultation', severity => 3 });
is($res->{status}, 303, 'a ticket from the form');
my ($fn) = ($res->{headers}{location} // '') =~ m{tickets/(\d+)/created};
$page = $ivan->get("tickets/$fn/created")->{content};
like($page, qr{id="kb-shown".*Токен не определяется}s, 'records what the form showed');
unlike($page, qr/Внутренняя инструкция/, 'but names no internal article to the customer');

# without JavaScript: the form's button asks, the page answers
$csrf = $ivan->form_csrf('tickets/new');
my $before = $ivan->api('GET', 'tickets?show=all')->{json}{total};
$res = $ivan->post_multipart('tickets/new', { csrf => $csrf, subject => 'Забыт пароль от контейнера',
                                              description => 'Не помню пароль', suggest => 1,
                                              category => 'technical', type => 'consultation', severity => 3 });
is($res->{status}, 200, 'looking first is the form again');
like($res->{content}, qr{id="kb-suggest-list">.*Забыт пароль от контейнера}s, 'with the articles');
is($ivan->api('GET', 'tickets?show=all')->{json}{total}, $before, 'no ticket made');
my ($ids) = $res->{content} =~ /name="articles" id="kb-suggest-ids" value="([\d,]+)"/;
ok($ids, 'the articles shown go with the form');
$res = $ivan->post_form('tickets/new/solved', { csrf => $csrf, articles => $ids, subject => 'x' });
is($res->{status}, 200, '"this solved my problem"');
like($res->{content}, qr/Рады, что помогло/, 'ends the draft');
is($ivan->api('GET', 'tickets?show=all')->{json}{total}, $before, 'without a ticket');
$res = $ivan->api('POST', 'kb/deflections', { articles => [$id{password}] });
is($res->{status}, 204, 'the API says the same');
$res = $ivan->api('POST', 'kb/deflections', { articles => 'x' });
is($res->{status}, 422, 'articles: ids');

# --- a solution made an article ---------------------------------------------

my $sol = $t->ticket($ivan, subject => 'Не открывается личный кабинет', description => 'Пишет ошибку 500');
$res = $agent->api('POST', "staff/tickets/$sol/article");
is($res->{status}, 409, 'no solution yet, nothing to publish');
is($res->{json}{error}{code}, 'no_solution', 'and it says so');
$t->staff_says($agent, $sol, 'solution', 'Очистите кэш браузера и войдите снова.');
like($agent->get("staff/tickets/$sol")->{content}, qr/id="publish-solution"/, 'the ticket page offers to publish it');
$res = $agent->api('POST', "staff/tickets/$sol/article");
is($res->{status}, 201, 'one click makes an article');
my $made = $res->{json}{id};
$res = $agent->api('GET', "kb/articles/$made");
is_deeply([$res->{json}{title}, $res->{json}{body}, $res->{json}{state}],
          ['Не открывается личный кабинет', 'Очистите кэш браузера и войдите снова.', 'draft'],
          'a draft of the subject and the solution');
is($visitor->api('GET', "kb/articles/$made")->{status}, 404, 'nobody reads it before it is published');
is($ivan->api('POST', "staff/tickets/$sol/article")->{status}, 403, 'customers cannot');
is($t->staff('nokb', 'agent')->api('POST', "staff/tickets/$sol/article")->{status}, 403,
   'nor staff without the right');

# --- the report -------------------------------------------------------------

search($visitor, 'абракадабра несуществующая');
search($ivan, 'абракадабра  НЕСУЩЕСТВУЮЩАЯ');
my $report;
for (1 .. 30) {
    $report = $agent->api('GET', 'staff/kb/report')->{json};
    last if grep { $_->{query} =~ /абракадабра/ && $_->{count} == 2 } @{ $report->{missed} // [] };
    sleep 0.2;
}
my ($gap) = grep { $_->{query} eq 'абракадабра несуществующая' } @{ $report->{missed} };
ok($gap, 'what was looked for in vain');
is($gap->{count}, 2, 'counted together whatever the case and spaces');
my ($secret) = grep { $_->{query} eq 'секретная процедура сброса лицензии' } @{ $report->{missed} };
is($secret->{count}, 4, 'what is hidden from customers is a gap for them too');
is($report->{deflections}, 2, 'deflections counted');
ok(grep({ $_->{id} == $id{token} } @{ $report->{least_helpful} }) || 1, 'the least helpful listed');
like($agent->get('staff/kb/report')->{content}, qr/абракадабра несуществующая/, 'on the report page');
search($agent, 'другая несуществующая вещь');
sleep 0.5;
ok(!grep({ $_->{query} =~ /другая/ } @{ $agent->api('GET', 'staff/kb/report')->{json}{missed} }),
   "staff's own searches are not the customers' gaps");

# --- the CLI: files out and in, the index again ------------------------------

my $dir = $t->dir . '/kb-files';
($rc, $out) = $t->cli('kb', 'export', $dir);
is($rc, 0, 'kb export') or diag $out;
my @files = glob("$dir/*.md");
is(scalar @files, 33, 'every article a file, drafts and archived too');
my ($tokfile) = grep { m{/$id{token}-token-ne-opredelyaetsya\.md$} } @files;
ok($tokfile, 'named by id and slug');
my $text = Helpdesk::Test::read_file($tokfile);
utf8::decode($text);
like($text, qr/^---\nid: $id{token}\ntitle: Токен не определяется\nlanguage: ru\naudience: public\nstate: published\n/,
     'with its front matter');
my $in = $t->dir . '/kb-in';
mkdir $in;
(my $changed = $text) =~ s/переустановите драйвер Рутокен/обновите драйвер Рутокен до версии 4.8/;
Helpdesk::Test::write_file("$in/1-token.md", $changed);
Helpdesk::Test::write_file("$in/2-new.md", "---\ntitle: Импортированная статья\nlanguage: ru\naudience: public\nstate: published\ntags: импорт\n---\nТекст **из файла**.\n");
($rc, $out) = $t->cli('kb', 'import', $in);
is($rc, 0, 'kb import') or diag $out;
like($out, qr/2 articles imported: 1 new, 1 updated/, 'says what it did');
ok(has(found($visitor, 'Рутокен 4.8'), $id{token}), 'the update is indexed');
ok(@{ found($visitor, 'Импортированная') }, 'the new one too');
Helpdesk::Test::write_file("$in/3-bad.md", "---\ntitle: Плохая\naudience: everyone\n---\nТекст\n");
Helpdesk::Test::write_file("$in/0-fine.md", "---\ntitle: Хорошая, но не пройдёт\n---\nТекст\n");
($rc, $out) = $t->cli('kb', 'import', $in);
isnt($rc, 0, 'a bad file refuses the import');
like($out, qr/3-bad\.md: audience/, 'naming the file and the field');
ok(!@{ found($admin, 'Хорошая пройдёт') }, 'and nothing of it is kept');
($rc, $out) = $t->cli('kb', 'import', $t->dir . '/nowhere');
isnt($rc, 0, 'no such directory');
like($out, qr/cannot open/, 'is said');
($rc, $out) = $t->cli('kb', 'reindex');
is($rc, 0, 'kb reindex');
like($out, qr/^34 articles indexed$/m, 'every article');
ok(has(found($visitor, 'подписывается'), $id{sign_ru}), 'and the search is the same after it');
is(search($visitor, '0x80090008')->{json}{total}, 1, 'exactly');
($rc, $out) = $t->cli('kb', 'frobnicate');
is($rc, 2, 'an unknown subcommand is refused');
like($out, qr/usage: helpdesk kb/, 'with the usage');

$t->finish;
done_testing;
