#include "screens/signin.h"
#include "client/mem.h"

#include <sodium.h>
#include <stdlib.h>

struct derive {
    const struct field *pw;
    signin_key_fn then;
    void *ud;
};

static void on_kdf(void *ud, enum api_err err, const struct api_kdf *kdf)
{
    struct derive *d = ud;
    if (err != API_OK) {
        d->then(d->ud, err, NULL);
        free(d);
        return;
    }
    unsigned char *key = sodium_malloc(API_KEY_BYTES);
    if (!key)
        mem_fatal("out of secure memory");
    size_t len = 0;
    const char *pw = field_text(d->pw, &len);
    if (api_derive_key(pw ? pw : "", len, kdf, key) != 0)
        d->then(d->ud, API_ERR_SERVER, NULL);
    else
        d->then(d->ud, API_OK, key);
    sodium_free(key);           /* wipes */
    free(d);
}

void signin_derive(struct lumen *L, const char *email, const struct field *pw,
                   signin_key_fn then, void *ud, const void *owner)
{
    struct derive *d = mem_alloc(sizeof *d);
    d->pw = pw;
    d->then = then;
    d->ud = ud;
    if (api_login_begin(L->db, email, on_kdf, d, owner) != 0) {
        then(ud, API_ERR_SERVER, NULL);
        free(d);
    }
}
