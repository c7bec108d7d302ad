/* Wake-ups by LISTEN/NOTIFY (client/db.h: db_listen, db_listens): the
 * channels asked for, and a LISTEN for each queued first on every new
 * connection, none behind a transaction pooler. */
#include "client/db.h"
#include "client/db_int.h"
#include "client/mem.h"

#include <stdio.h>
#include <string.h>

/* The owner of the LISTEN calls: no screen's, so no screen cancels them. */
static const char listen_owner;

static void on_listen(void *ud, const struct db_reply *r)
{
    struct db *db = ud;
    if (r->outcome == DB_OK)
        db->listening++;
}

/* SQL at the head of the queue (before every call queued: the screens'
 * first answers come after it). */
static void push_first(struct db *db, const char *sql, db_done_fn done)
{
    struct call *c = mem_alloc(sizeof *c);
    c->sql = mem_strdup(sql);
    c->values = mem_alloc(sizeof *c->values);
    c->lengths = mem_alloc(sizeof *c->lengths);
    c->formats = mem_alloc(sizeof *c->formats);
    c->done = done;
    c->ud = db;
    c->owner = &listen_owner;
    c->next = db->head;
    db->head = c;
    if (!db->tail)
        db->tail = c;
}

/* A LISTEN for channel I, first in the queue. */
static void push_listen(struct db *db, int i)
{
    char sql[80];
    snprintf(sql, sizeof sql, "LISTEN \"%s\"", db->listen[i]);
    push_first(db, sql, on_listen);
}

static void on_unlisten(void *ud, const struct db_reply *r)
{
    (void)ud;
    (void)r;
}

/* Drops the LISTENs still queued. */
static void drop_queued_listens(struct db *db)
{
    struct call **pp = &db->head;
    db->tail = NULL;
    while (*pp) {
        struct call *c = *pp;
        if (c->owner == &listen_owner) {
            *pp = c->next;
            db_call_free(c);
        } else {
            db->tail = c;
            pp = &c->next;
        }
    }
}

/* A new connection: no channel is listened to on it yet.  LISTENs still
 * queued from the last one are dropped, and every channel's is queued
 * first. */
void db_queue_listens(struct db *db)
{
    db->listening = 0;
    drop_queued_listens(db);
    if (db->cfg->db.pooler == CONFIG_POOLER_TRANSACTION)
        return;
    for (int i = db->nlisten - 1; i >= 0; i--)
        push_listen(db, i);
}

static bool channel_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

int db_listen(struct db *db, const char *channel)
{
    if (!channel_ok(channel))
        return -1;
    for (int i = 0; i < db->nlisten; i++)
        if (strcmp(db->listen[i], channel) == 0)
            return 0;
    if (db->nlisten == DB_LISTEN_MAX)
        return -1;
    snprintf(db->listen[db->nlisten++], sizeof db->listen[0], "%s", channel);
    /* Not connected: the connection, when up, sends every channel's. */
    if (db->state == DB_READY && db->cfg->db.pooler != CONFIG_POOLER_TRANSACTION && !db->closing)
        push_listen(db, db->nlisten - 1);
    return 0;
}

bool db_listens(const struct db *db)
{
    return db->state == DB_READY && db->cfg->db.pooler != CONFIG_POOLER_TRANSACTION &&
           db->nlisten > 0 && db->listening >= db->nlisten;
}

int db_listen_set(struct db *db, const char *const *channels, int n)
{
    if (n < 0 || n > DB_LISTEN_MAX)
        return -1;
    for (int i = 0; i < n; i++)
        if (!channel_ok(channels[i]))
            return -1;
    bool same = n == db->nlisten;
    for (int i = 0; i < n && same; i++)
        same = strcmp(channels[i], db->listen[i]) == 0;
    if (same)
        return 0;
    db->nlisten = 0;
    for (int i = 0; i < n; i++)
        snprintf(db->listen[db->nlisten++], sizeof db->listen[0], "%s", channels[i]);
    if (db->state != DB_READY || db->cfg->db.pooler == CONFIG_POOLER_TRANSACTION || db->closing)
        return 0;       /* the (re)connection sends the new set */
    /* On this connection: forget the old channels first, then the new
     * set's LISTENs, ahead of every queued call.  An answer to an old
     * LISTEN still under way may count once too often: db_listens() is a
     * hint for polling, and the next connection counts afresh. */
    db->listening = 0;
    drop_queued_listens(db);
    for (int i = db->nlisten - 1; i >= 0; i--)
        push_listen(db, i);
    push_first(db, "UNLISTEN *", on_unlisten);
    return 0;
}
