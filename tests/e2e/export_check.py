# export_check.py KIND FILE.csv FILE.jsonl: the CSV export holds the same rows
# as the JSON lines export, cell by cell, each text cell made inert for a
# terminal and neutralised against formulas exactly as vigil(1) documents.
import csv, json, sys

COLS = {
    'audit': [('seq',), ('ts',), ('actor_type',), ('actor',), ('action',),
              ('object_type',), ('object_id',), ('site_id',), ('details_text',),
              ('source',), ('outcome',), ('prev_hash',), ('hash',)],
    'alarms': [(k,) for k in 'id site site_name point point_label point_type gateway type priority state version count created updated last_event acked acked_by assigned assigned_by guard closed closed_by resolution resolution_note'.split()],
    'events': [(k,) for k in 'id site point gateway gw_event_id type value credential sensor_ts received class alarm'.split()],
    'positions': [(k,) for k in 'id guard ts lat lon accuracy received'.split()],
    'access-history': [('id',), ('ts',), ('site',), ('point',), ('result',),
                       ('credential',), ('resident', 'id'), ('resident', 'name')],
}
HEADS = {'audit': 'details'}
BIDI = {0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0xfeff} | set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a))

def clean(s):
    out = []
    for ch in s:
        o = ord(ch)
        if o in (9, 10) or 0x20 <= o < 0x7f:
            out.append(ch)
        elif o < 0x20:
            out.append(chr(0x2400 + o))
        elif o == 0x7f:
            out.append('\u2421')
        elif o < 0xa0 or o in BIDI:
            out.append('<U+%04X>' % o)
        else:
            out.append(ch)
    return ''.join(out)

def unneutral(c):
    i = 0
    while i < len(c) and c[i] == "'":
        i += 1
    if i > 0 and i < len(c) and c[i] in '=+-@\t\r':
        return c[1:]
    return c

def fail(msg):
    print('export_check: %s' % msg)
    sys.exit(1)

kind, csvf, jsonf = sys.argv[1:4]
rows = []
with open(jsonf, encoding='utf-8') as f:
    for line in f:
        o = json.loads(line)
        if 'checkpoint' not in o:
            rows.append(o)
with open(csvf, encoding='utf-8', newline='') as f:
    recs = list(csv.reader(f))
heads = [HEADS.get(kind) if c == ('details_text',) else ('%s_%s' % c if len(c) == 2 else c[0]) for c in COLS[kind]]
if recs[0] != heads:
    fail('header %r, expected %r' % (recs[0], heads))
recs = recs[1:]
if len(recs) != len(rows):
    fail('%d CSV records, %d JSON rows' % (len(recs), len(rows)))
neutralised = 0
for n, (rec, row) in enumerate(zip(recs, rows)):
    if len(rec) != len(COLS[kind]):
        fail('record %d has %d cells' % (n + 1, len(rec)))
    for cell, path in zip(rec, COLS[kind]):
        v = row.get(path[0])
        if len(path) == 2:
            v = v.get(path[1]) if isinstance(v, dict) else None
        if v is None:
            exp = ''
        elif isinstance(v, bool):
            exp = 'true' if v else 'false'
        elif isinstance(v, int):
            exp = str(v)
        elif isinstance(v, float):
            if float(cell) != v:
                fail('record %d %s: %r is not %r' % (n + 1, path, cell, v))
            continue
        else:
            exp = clean(v)
            if any(ord(ch) < 0x20 and ch not in '\t\n' for ch in cell):
                fail('record %d %s: a control character in %r' % (n + 1, path, cell))
            if cell[:1] in ('=', '+', '-', '@'):
                fail('record %d %s: %r would be a formula' % (n + 1, path, cell))
            if cell != exp:
                neutralised += 1
            cell = unneutral(cell)
        if cell != exp:
            fail('record %d %s: %r, expected %r' % (n + 1, path, cell, exp))
print('%d records equal, %d cells neutralised' % (len(recs), neutralised))
