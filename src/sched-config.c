/*
 * sched-config — deep copy and release of struct config for the core. Every
 * string and array is duplicated; the job JSON is deep-copied; regexes are
 * compiled afresh from their text.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sched-config.h"
#include "xmalloc.h"

static char *
sc_str(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Copies a NULL-or-n-long array of strings (keeps a NULL terminator). */
static char **
sc_strv(char *const *v, size_t n)
{
	char **out;

	if (v == NULL)
		return NULL;
	out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = sc_str(v[i]);
	return out;
}

static void
sc_strv_free(char **v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static struct config_kv *
sc_kv(const struct config_kv *kv, size_t n)
{
	struct config_kv *out;

	if (kv == NULL || n == 0)
		return NULL;
	out = xcalloc(n, sizeof *out);
	for (size_t i = 0; i < n; i++) {
		out[i].key = sc_str(kv[i].key);
		out[i].value = sc_str(kv[i].value);
	}
	return out;
}

static void
sc_kv_free(struct config_kv *kv, size_t n)
{
	if (kv == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

/* Compiles the anchored form of a LIKE/UNLIKE pattern into re. */
static void
sc_regex(regex_t *re, const char *value, const char *job)
{
	size_t n = strlen(value) + 5;
	char *pat = xmalloc(n);

	snprintf(pat, n, "^(%s)$", value);
	if (regcomp(re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
		log_warn("sched: job %s: constraint regex \"%s\" does not "
		    "compile; it matches nothing", job, value);
		regcomp(re, "^$", REG_EXTENDED | REG_NOSUB);
	}
	free(pat);
}

static int
sc_has_regex(const struct config_constraint *c)
{
	return (c->op == CONSTRAINT_LIKE || c->op == CONSTRAINT_UNLIKE) &&
	    c->value != NULL;
}

static void
sc_job_copy(struct config_job *d, const struct config_job *j)
{
	*d = *j;
	d->id = sc_str(j->id);
	d->shell = sc_str(j->shell);
	d->argv = sc_strv(j->argv, j->nargv);
	d->env = sc_kv(j->env, j->nenv);
	d->nenv = d->env != NULL ? j->nenv : 0;
	d->user = sc_str(j->user);
	d->ports = sc_strv(j->ports, j->nports);
	d->image = sc_str(j->image);
	d->uris = sc_strv(j->uris, j->nuris);
	d->labels = sc_kv(j->labels, j->nlabels);
	d->nlabels = d->labels != NULL ? j->nlabels : 0;
	d->health.type = sc_str(j->health.type);
	d->health.command = sc_str(j->health.command);
	d->health.path = sc_str(j->health.path);
	d->role = sc_str(j->role);
	d->constraints = NULL;
	if (j->nconstraints > 0 && j->constraints != NULL) {
		d->constraints = xcalloc(j->nconstraints,
		    sizeof *d->constraints);
		for (size_t i = 0; i < j->nconstraints; i++) {
			struct config_constraint *c = &d->constraints[i];
			const struct config_constraint *o = &j->constraints[i];

			c->op = o->op;
			c->field = sc_str(o->field);
			c->value = sc_str(o->value);
			c->max = o->max;
			if (sc_has_regex(c))
				sc_regex(&c->re, c->value, j->id);
		}
	} else
		d->nconstraints = 0;
	d->json = j->json != NULL ? json_deep_copy(j->json) : NULL;
	memcpy(d->hash, j->hash, sizeof d->hash);
	d->hash[sizeof d->hash - 1] = '\0';
}

static void
sc_job_free(struct config_job *j)
{
	free(j->id);
	free(j->shell);
	sc_strv_free(j->argv, j->nargv);
	sc_kv_free(j->env, j->nenv);
	free(j->user);
	sc_strv_free(j->ports, j->nports);
	free(j->image);
	sc_strv_free(j->uris, j->nuris);
	sc_kv_free(j->labels, j->nlabels);
	free(j->health.type);
	free(j->health.command);
	free(j->health.path);
	free(j->role);
	for (size_t i = 0; i < j->nconstraints && j->constraints != NULL; i++) {
		if (sc_has_regex(&j->constraints[i]))
			regfree(&j->constraints[i].re);
		free(j->constraints[i].field);
		free(j->constraints[i].value);
	}
	free(j->constraints);
	if (j->json != NULL)
		json_decref(j->json);
}

struct config *
sched_config_copy(const struct config *cfg)
{
	struct config *c = xmalloc(sizeof *c);

	*c = *cfg;
	c->path = sc_str(cfg->path);
	c->masters = sc_strv(cfg->masters, cfg->nmasters);
	c->encoding = sc_str(cfg->encoding);
	c->ca_file = sc_str(cfg->ca_file);
	c->framework_name = sc_str(cfg->framework_name);
	c->user = sc_str(cfg->user);
	c->roles = sc_strv(cfg->roles, cfg->nroles);
	c->principal = sc_str(cfg->principal);
	c->secret_file = sc_str(cfg->secret_file);
	c->hostname = sc_str(cfg->hostname);
	c->webui_url = sc_str(cfg->webui_url);
	c->framework_labels = sc_kv(cfg->framework_labels,
	    cfg->nframework_labels);
	c->nframework_labels = c->framework_labels != NULL ?
	    cfg->nframework_labels : 0;
	c->ha_zk = sc_str(cfg->ha_zk);
	c->ha_instance_id = sc_str(cfg->ha_instance_id);
	c->state_dir = sc_str(cfg->state_dir);
	c->admin_listen = sc_str(cfg->admin_listen);
	c->admin_token_file = sc_str(cfg->admin_token_file);
	c->admin_read_token_file = sc_str(cfg->admin_read_token_file);
	c->admin_tls_cert_file = sc_str(cfg->admin_tls_cert_file);
	c->admin_tls_key_file = sc_str(cfg->admin_tls_key_file);
	c->admin_redact = sc_strv(cfg->admin_redact, cfg->nadmin_redact);
	c->cert_file = sc_str(cfg->cert_file);
	c->key_file = sc_str(cfg->key_file);
	c->log_level = sc_str(cfg->log_level);
	c->log_format = sc_str(cfg->log_format);
	c->jobs = NULL;
	if (cfg->njobs > 0 && cfg->jobs != NULL) {
		c->jobs = xcalloc(cfg->njobs, sizeof *c->jobs);
		for (size_t i = 0; i < cfg->njobs; i++)
			sc_job_copy(&c->jobs[i], &cfg->jobs[i]);
	} else
		c->njobs = 0;
	memcpy(c->version, cfg->version, sizeof c->version);
	c->version[sizeof c->version - 1] = '\0';
	return c;
}

void
sched_config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	sc_strv_free(c->masters, c->nmasters);
	free(c->encoding);
	free(c->ca_file);
	free(c->framework_name);
	free(c->user);
	sc_strv_free(c->roles, c->nroles);
	free(c->principal);
	free(c->secret_file);
	free(c->hostname);
	free(c->webui_url);
	sc_kv_free(c->framework_labels, c->nframework_labels);
	free(c->ha_zk);
	free(c->ha_instance_id);
	free(c->state_dir);
	free(c->admin_listen);
	free(c->admin_token_file);
	free(c->admin_read_token_file);
	free(c->admin_tls_cert_file);
	free(c->admin_tls_key_file);
	sc_strv_free(c->admin_redact, c->nadmin_redact);
	free(c->cert_file);
	free(c->key_file);
	free(c->log_level);
	free(c->log_format);
	for (size_t i = 0; i < c->njobs; i++)
		sc_job_free(&c->jobs[i]);
	free(c->jobs);
	free(c);
}

const char *
sched_config_role(const struct config *cfg, const struct config_job *job)
{
	if (job != NULL && job->role != NULL && job->role[0] != '\0')
		return job->role;
	if (cfg->nroles > 0 && cfg->roles[0] != NULL)
		return cfg->roles[0];
	return "*";
}
