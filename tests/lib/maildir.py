#!/usr/bin/python3
# maildir.py DIR — the messages an aiosmtpd Mailbox wrote to the Maildir DIR, as JSON, decoded
# by Python's email package (RFC 2047 subjects, base64 bodies): what a mail client would show.
import email.policy
import json
import mailbox
import os
import sys

out = []
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
# In the order they arrived: by the file's time (nanoseconds), not by key, whose microseconds
# are not zero-padded (M99999 sorts after M123456 in the same second).
def arrived(key):
    return (os.stat(os.path.join(sys.argv[1], box._lookup(key))).st_mtime_ns, key)


for key in sorted(box.keys(), key=arrived):
    with open(os.path.join(sys.argv[1], box._lookup(key)), 'rb') as f:
        raw = f.read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    raw_subject = email.message_from_bytes(raw, policy=email.policy.compat32).get('Subject', '')
    body = m.get_body(preferencelist=('plain',))
    out.append({
        'key': key,
        'mail_from': m.get('X-MailFrom'),
        'rcpt_to': m.get('X-RcptTo'),
        'from': str(m.get('From')),
        'to': str(m.get('To')),
        'subject': str(m.get('Subject')),
        'raw_subject': str(raw_subject),
        'date': str(m.get('Date')),
        'message_id': str(m.get('Message-ID')),
        'mime_version': str(m.get('MIME-Version')),
        'content_type': m.get_content_type(),
        'charset': m.get_content_charset(),
        'transfer_encoding': str(m.get('Content-Transfer-Encoding')),
        'body': body.get_content() if body is not None else None,
        'defects': [type(d).__name__ for d in m.defects],
    })
json.dump(out, sys.stdout, ensure_ascii=False)
