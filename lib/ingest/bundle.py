"""TEMPORARY, UNCOMMITTED shim until the bundle branch lands: builds the seed case in SQL."""
import sys
sys.path.insert(0, "/work/wt-stances")


def import_bundle(con, path, who):
    from tests.unit.test_stance import _seed_like
    _seed_like(con)
    con.execute("update actors set name='Ministry of National Defence' where actor_id='TUR-MSB'")
    con.execute("update claims set text='Russia approached Ankara about taking back the S-400 systems' where claim_id='claim-nefes-buyback'")
    con.execute("update positions set label='Retain the systems' where position_code='retain'")
    con.execute("insert into audit_log (who, action, table_name) values (?, 'seed', 'all')", [who])
