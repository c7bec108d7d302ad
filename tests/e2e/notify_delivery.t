#!/usr/bin/perl
# lumen notify (issue 11) against receivers on loopback (hook_receiver.pl),
# on a database of its own copied from the demo data, the webhook added by
# Bright Smile's Owner through the api (signed in by SQL as the client
# does):
#   - Standard Webhooks: webhook-id is the message id, the signature
#     verifies with openssl's HMAC over id.timestamp.body under the whsec_
#     secret the api showed once; after a rotation, two v1 signatures, each
#     valid under one of the two secrets; the log names the host only;
#   - a dental lead alert (two leads folded into one message) carries none
#     of the leads' names, phones, emails, page, visitor id or transcript,
#     neither in the webhook nor in the email;
#   - email through the stand-in of the email API: JSON from/to/subject/
#     text, the bearer key, Idempotency-Key = the message id; a wrong key
#     is retried with the same key; an invite's email carries the code and
#     the practice's webhook does not; a key in a config others may read
#     is refused.
use strict;
use warnings;
use File::Basename qw(dirname);
use lib dirname(__FILE__);
use NotifyE2E;

ne_skip_unless_ready();
plan(40);
ne_db();

my $KEY = 'ek_e2e_' . $$ . '_key';
my $FROM = 'Lumen alerts <alerts@lumen.test>';
my $hook = ne_receiver('hook');
my $mail = ne_receiver('mail', key => $KEY);
my $conf = ne_conf(email_api => "$mail->{url}/email", email_key => $KEY, email_from => $FROM);
my $token = ne_owner_sign_in();

# ------------------------------------------------------------- 1. signatures
my $url = "$hook->{url}/hook?token=sekrit-in-query";
my ($st, $secret, $wid) = ne_webhook_add($token, $url, 'the practice CRM');
is($st, 'ok', 'the Owner adds a webhook');
ok(($secret // '') =~ m{^whsec_[A-Za-z0-9+/]{43}=$}, "the secret is shown once: whsec_ + base64 of 32 bytes");
is(ne_sql("SELECT count(*) FROM lumen.notify_webhook_secrets s WHERE s.webhook_id = :'w'
             AND position(convert_to(:'s', 'UTF8') IN s.secret_sealed) = 0
             AND position(convert_to(substr(:'s', 7), 'UTF8') IN s.secret_sealed) = 0", w => $wid, s => $secret),
   '1', 'one secret stored, sealed (the text is not in the table)');

my $r = ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid);
is($r->{status}, 'ok', 'a test delivery is queued');
my ($rc, $err) = ne_once($conf);
is($rc, 0, "lumen notify --once: exit 0");
my @hk = ne_requests($hook);
is(scalar(@hk), 1, 'the receiver got one request');
my $q = $hk[0] // { h => {}, body => '', path => '' };
my $mid = ne_sql("SELECT message_id FROM lumen.outbox WHERE kind = 'notify.test' AND webhook_id = :'w'", w => $wid);
ok($q->{method} eq 'POST' && $q->{path} eq '/hook?token=sekrit-in-query'
   && ($q->{h}{'content-type'} // '') =~ m{^application/json},
   "a POST of JSON to the URL as entered ($q->{path})");
is($q->{h}{'webhook-id'}, $mid, 'webhook-id is the message id');
my $ts = $q->{h}{'webhook-timestamp'} // '';
ok($ts =~ /^\d+$/ && abs($ts - time) < 120, "webhook-timestamp is unix seconds, now ($ts)");
my ($nsig, $match) = ne_signatures_ok($q, $secret);
ok($nsig == 1 && $match == 1, "one v1 signature, and openssl computes the same HMAC-SHA256 over id.timestamp.body ($q->{h}{'webhook-signature'})");
my $tamper = { %$q, body => $q->{body} . ' ' };
(undef, $match) = ne_signatures_ok($tamper, $secret);
ok($match == 0, 'a body changed by one byte does not verify');
my $body = ne_json($q->{body});
ok($body && ($body->{type} // '') eq 'notify.test' && ref($body->{data}) eq 'HASH'
   && ($body->{timestamp} // '') =~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:?00)$/,
   "the body is {type, timestamp (UTC), data}: $q->{body}");
ok($err =~ /127\.0\.0\.1/ && $err !~ /sekrit|\/hook|\Q$KEY\E/,
   "the log names the host, never the path, query or key: $err");
is(ne_sql("SELECT (delivered_at IS NOT NULL) || ' ' || attempts || ' ' || coalesce(last_status::text, '-')
             FROM lumen.outbox WHERE message_id = :'m'", m => $mid), 'true 1 200', 'the row is delivered, one attempt, status 200');

$r = ne_api_write($token, "api.notify_webhook_rotate(:'t', :'w')", w => $wid);
my $secret2 = $r->{secret} // '';
ok($r->{status} eq 'ok' && $secret2 =~ /^whsec_/ && $secret2 ne $secret, 'the Owner rotates the secret: a new one, shown once');
ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid);
($rc, $err) = ne_once($conf);
@hk = ne_wait_requests($hook, 2, 5);
$q = $hk[1] // { h => {}, body => '' };
($nsig, $match) = ne_signatures_ok($q, $secret, $secret2);
ok($rc == 0 && $nsig == 2 && $match == 2,
   "after the rotation: two v1 signatures, one under each secret ($q->{h}{'webhook-signature'})");

# A day later the old secret has expired: one signature again, the new one's.
ne_sql("UPDATE lumen.notify_webhook_secrets SET expires_at = now() - interval '1 second'
         WHERE webhook_id = :'w' AND expires_at IS NOT NULL", w => $wid);
ne_api_write($token, "api.notify_test(:'t', :'w')", w => $wid);
($rc, $err) = ne_once($conf);
@hk = ne_wait_requests($hook, 3, 5);
$q = $hk[2] // { h => {}, body => '' };
my ($n1, $m1) = ne_signatures_ok($q, $secret2);
my (undef, $m0) = ne_signatures_ok($q, $secret);
ok($n1 == 1 && $m1 == 1 && $m0 == 0, "once the old secret expires, only the new one signs ($q->{h}{'webhook-signature'})");

# ------------------------------------------------------------- 6. no patient details
# Two dental leads before the deliverer runs: folded into one message per
# destination.  Every value of theirs is looked for in every request.
my @leads = (
    { name => 'Quentin Privacyson', service => 'Whitening', phone => '+1 312 555 0147',
      email => 'quentin.privacyson@example.test', visitor_id => 'v-zq-0001',
      page_url => 'https://brightsmile.test/offers/zq-secret-page', said => 'My molar has hurt since Tuesday, zqx' },
    { name => 'Ramona Hiddenfield', service => 'Implants', phone => '(773) 555-0199',
      email => 'ramona.h@example.test', visitor_id => 'v-zq-0002',
      page_url => 'https://brightsmile.test/implants?ref=zq-ad', said => 'Do you take Delta Dental insurance, zqy' },
);
my @ids = map { ne_ingest(%$_) } @leads;
ok((grep { /^\d+$/ } @ids) == 2, "two leads captured through lumen_ingest (@ids)");
is(ne_sql("SELECT count(*) || ' ' || coalesce(sum((payload->>'count')::int), 0) FROM lumen.outbox
            WHERE kind = 'lead.new' AND channel = 'webhook' AND delivered_at IS NULL"), '1 2',
   'one lead.new message for the webhook, counting two leads');
my $hooks_before = scalar(ne_requests($hook));
($rc, $err) = ne_once($conf);
is($rc, 0, 'lumen notify --once: exit 0');
my ($lh) = grep { ne_kind($_) eq 'lead.new' } ne_requests($hook);
$lh //= { body => '', raw => '', h => {} };
my $ld = (ne_json($lh->{body}) // {})->{data} // {};
ok(($ld->{count} // 0) == 2 && join(',', sort @{ $ld->{services} // [] }) eq 'Implants,Whitening'
   && join(',', sort { $a <=> $b } @{ $ld->{lead_ids} // [] }) eq join(',', sort { $a <=> $b } @ids),
   "the webhook's lead alert: count 2, the services, the lead ids ($lh->{body})");
is($ld->{link} // '', "https://brightsmile.test/lumen/leads/$ids[0]", "its link is the practice's lead link, first lead's id");
my ($lm) = grep { $_->{body} =~ /frontdesk\@brightsmile\.test/ } ne_requests($mail, '/email');
$lm //= { body => '', raw => '', h => {} };
my $lj = ne_json($lm->{body}) // {};
ok(($lj->{subject} // '') =~ /enquir/i && ($lj->{text} // '') =~ /Whitening/ && ($lj->{text} // '') =~ /Implants/,
   "the email to the front desk says what the enquiries are about: " . ($lj->{subject} // "") . " / " . ($lj->{text} // ''));

my @leaks;
for my $req (ne_requests($hook), ne_requests($mail)) {
    my $raw = lc $req->{raw};
    (my $digits = $raw) =~ s/[^0-9]//g;
    for my $l (@leads) {
        my @values = ($l->{name}, split(/ /, $l->{name}), $l->{email}, $l->{phone}, $l->{visitor_id},
                      $l->{page_url}, $l->{said}, (split /, /, $l->{said})[0]);
        for my $v (@values) { push @leaks, "$req->{n}: $v" if index($raw, lc $v) >= 0; }
        (my $p = $l->{phone}) =~ s/[^0-9]//g;
        $p = substr($p, -10);
        push @leaks, "$req->{n}: phone digits $p" if index($digits, $p) >= 0;
    }
}
ok(!@leaks && $lh->{raw} ne '' && $lm->{raw} ne '',
   'no name, phone, email, page, visitor id or transcript text in any request received (webhook and email): '
   . (join('; ', @leaks) || 'none'));
is(ne_sql("SELECT count(*) FROM lumen.outbox o, jsonb_each_text(o.payload) p
            WHERE o.kind = 'lead.new' AND p.key IN ('name', 'names', 'phone', 'email', 'page_url', 'visitor_id', 'transcript')"),
   '0', 'nor in the stored payloads');

# ------------------------------------------------------------- 9. email
$q = $lm;
my $emid = ne_sql("SELECT message_id FROM lumen.outbox WHERE kind = 'lead.new' AND channel = 'email'
                    AND recipient = 'frontdesk\@brightsmile.test'");
ok($q->{method} eq 'POST' && $q->{path} eq '/email' && ($q->{h}{'content-type'} // '') =~ m{^application/json},
   'the email is a POST of JSON to the email API');
is($q->{h}{authorization}, "Bearer $KEY", 'with the bearer key of the config');
is($q->{h}{'idempotency-key'}, $emid, 'Idempotency-Key is the message id');
ok(($lj->{from} // '') eq $FROM && ref($lj->{to}) eq 'ARRAY' && "@{$lj->{to}}" eq 'frontdesk@brightsmile.test'
   && ($lj->{text} // '') ne '', "from, to [recipient], subject, text: $lm->{body}");

# An invite: the code goes to the invitee, never to the practice's webhook.
$r = ne_api_write($token, "api.member_invite(:'t', 'new.hire\@example.test', 'viewer')");
my $code = $r->{secret} // '';
ok($r->{status} eq 'ok' && $code ne '', "the Owner invites new.hire\@example.test (code $code)");
($rc, $err) = ne_once($conf);
my ($im) = grep { $_->{body} =~ /new\.hire\@example\.test/ } ne_wait_requests($mail, 1, 5, '/email');
$im //= { body => '' };
my $ij = ne_json($im->{body}) // {};
ok($rc == 0 && "@{$ij->{to} // []}" eq 'new.hire@example.test' && index($ij->{text} // '', $code) >= 0
   && ($ij->{text} // '') =~ /lumen accept-invite/ && ($ij->{text} // '') =~ /Bright Smile/,
   "the invitee's email carries the code, the practice and how to accept: " . ($ij->{text} // ''));
my ($iw) = grep { ne_kind($_) eq 'member.invite' } ne_requests($hook);
ok($iw && index($iw->{raw}, $code) < 0 && $iw->{raw} !~ /_sealed/,
   'the practice webhook hears of the invite without the code or any sealed value: ' . ($iw ? $iw->{body} : 'no request'));

# A wrong key: the API answers 401, the message waits for a retry with the
# same Idempotency-Key.
my $bad = ne_conf(email_api => "$mail->{url}/email", email_key => 'ek_wrong', email_from => $FROM);
my $eid = ne_sql("SELECT id FROM lumen.notify_emails WHERE email = 'frontdesk\@brightsmile.test' AND removed_at IS NULL");
$r = ne_api_write($token, "api.notify_test(:'t', :'e')", e => $eid);
my $tmid = ne_sql("SELECT message_id FROM lumen.outbox WHERE kind = 'notify.test' AND channel = 'email'");
my $n0 = scalar(ne_requests($mail));
($rc, $err) = ne_once($bad);
is(ne_sql("SELECT (delivered_at IS NULL) || ' ' || attempts || ' ' || coalesce(last_status::text, '-')
             FROM lumen.outbox WHERE message_id = :'m'", m => $tmid), 'true 1 401',
   "$r->{status}: a test email refused by the API (401) is not delivered, it waits for a retry");
ne_time_passes();
($rc, $err) = ne_once($conf);
my @tm = grep { ($_->{h}{'idempotency-key'} // '') eq $tmid } ne_requests($mail);
ok(@tm == 2 && ne_sql("SELECT delivered_at IS NOT NULL FROM lumen.outbox WHERE message_id = :'m'", m => $tmid) eq 't',
   'with the right key it is delivered; both tries carried the same Idempotency-Key (' . scalar(@tm) . ' tries)');

# The key's config file readable by others: refused before anything is sent.
chmod 0644, $conf;
ne_api_write($token, "api.notify_test(:'t', :'e')", e => $eid);
my $before = scalar(ne_requests($mail));
($rc, $err) = ne_once($conf);
ok($rc != 0 && $err ne '' && scalar(ne_requests($mail)) == $before,
   "a config holding email_key that others may read is refused (exit $rc): $err");
chmod 0600, $conf;

# A sign-in from an origin the account never used: an email to the
# account (the first origin ever is recorded silently; the same one again
# says nothing).
my ($ak) = map { (split / /)[2] } grep { /^admin\@brightsmile\.test / }
           split /\n/, ne_slurp(dirname(__FILE__) . '/../../db/demo/README-kdf.txt');
sub admin_sign_in {
    my $origin = shift;
    my $att = ne_sql("SELECT api.login('admin\@brightsmile.test', decode(:'k', 'hex'), jsonb_build_object('origin', :'o', 'version', 'e2e'))",
                     k => $ak, o => $origin);
    return ne_sql("SELECT status FROM api.attempt_result(:'a')", a => $att);
}
my @signins = map { admin_sign_in($_) } ('198.51.100.20 50000 22', '203.0.113.77 40000 22', '203.0.113.77 40001 22');
my $origins = ne_sql("SELECT count(*) FROM lumen.outbox WHERE kind = 'login.new_origin'");
($rc, $err) = ne_once($conf);
my @om = grep { $_->{body} =~ /admin\@brightsmile\.test/ } ne_requests($mail, '/email');
my $oj = @om ? ne_json($om[0]{body}) // {} : {};
ok("@signins" eq 'ok ok ok' && $origins eq '1' && @om == 1 && ($oj->{text} // '') =~ /203\.0\.113\.77/
   && ($oj->{text} // '') !~ /198\.51\.100\.20/,
   "three sign-ins of the Admin (first origin, a new one, the new one again): one email, naming the new origin ($origins rows): "
   . ($oj->{subject} // '') . ' / ' . ($oj->{text} // ''));

# Hostile text where an alert takes text from: the practice's name (quotes,
# a backslash, a line break) and a visitor's service (a header injection
# attempt, an escape sequence).  The email is valid JSON, its subject one
# line, no control character anywhere but the text's line breaks; the
# webhook's data is JSON, so the name goes as it is, escaped.
ne_sql("UPDATE lumen.practices SET name = E'Bright \"Smile\" \\\\ Dental\r\nX-Evil: 1' WHERE id = :'p'", p => $BSD);
my $hl = ne_ingest(name => 'Hostile Service', service => "Whitening\r\nBcc: evil\@example.test\e]0;pwned\a");
my $before_h = scalar(ne_requests($mail));
($rc, $err) = ne_once($conf);
my ($hm) = grep { $_->{body} =~ /frontdesk/ } (ne_requests($mail))[$before_h .. scalar(ne_requests($mail)) - 1];
my $hj = $hm ? ne_json($hm->{body}) : undef;
my ($hw) = grep { ne_kind($_) eq 'lead.new' } (ne_requests($hook))[-1];
my $hwj = $hw ? ne_json($hw->{body}) : undef;
ok($hj && ($hj->{subject} // '') !~ /[\x00-\x1f\x7f]/ && ($hj->{text} // '') !~ /[\x00-\x09\x0b-\x1f\x7f]/
   && ($hj->{subject} // '') =~ /Bright "Smile" \\ Dental/,
   'hostile practice name and service: the email is JSON, its subject one line, no control characters: '
   . ($hm ? $hm->{body} : 'no email'));
ok($hwj && ($hwj->{data}{practice_name} // '') eq "Bright \"Smile\" \\ Dental\r\nX-Evil: 1"
   && !grep({ /[\x00-\x1f\x7f]/ } @{ $hwj->{data}{services} // [] }),
   "and the webhook's JSON carries the name as it is (escaped), the visitor's service cleaned: " . ($hw ? $hw->{body} : 'none'));
ne_sql("UPDATE lumen.practices SET name = 'Bright Smile Dental' WHERE id = :'p'", p => $BSD);

# Every request the receivers saw, by kind: nothing unexplained.
my %kinds;
$kinds{ne_kind($_)}++ for ne_requests($hook);
is(join(' ', map { "$_=$kinds{$_}" } sort keys %kinds), 'lead.new=2 member.invite=1 notify.test=3',
   'the webhook got exactly the events made here');
is(ne_sql("SELECT count(*) FROM lumen.outbox WHERE delivered_at IS NULL AND failed_at IS NULL
             AND NOT (kind = 'notify.test' AND channel = 'email')"), '0',
   'every other message is delivered');
done();
