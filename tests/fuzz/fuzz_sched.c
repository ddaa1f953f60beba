/*
 * fuzz_sched — the scheduling core fed arbitrary message sequences. The
 * input is a series of records: one kind byte, a two-byte length and that
 * many bytes. Kinds: 0 an Event in protobuf (decoded with codec; what does
 * not decode is skipped), 1 a tick (the payload's first byte: seconds to
 * advance), 2 a call outcome (cookie and HTTP status from the payload),
 * 3 an admin request (op from the first byte, the rest as its argument),
 * 4 the session going down or up, 5 a GET_AGENTS answer in protobuf, 6 a
 * reload of the same configuration, 7 shutdown. The core is subscribed
 * first. Invariants: no crash or sanitizer report; every call the core
 * emits encodes in both encodings; after a tick the next deadline lies
 * ahead; every admin request gets exactly one reply; the core's own
 * consistency check (sched_check) holds after every message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "codec.h"
#include "config.h"
#include "effect.h"
#include "log.h"
#include "msg.h"
#include "sched.h"
#include "sched-int.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fuzz_config_text[] =
    "{\"master\": {\"masters\": [\"http://127.0.0.1:5050\"]},"
    " \"framework\": {\"name\": \"ark\", \"user\": \"nobody\","
    " \"roles\": [\"*\", \"web\"], \"partition_aware\": true},"
    " \"reconciliation\": {\"batch\": 2, \"unknown_tasks\": \"adopt\"},"
    " \"state_dir\": \"/tmp/ark-fuzz-unused\","
    " \"jobs\": [{\"id\": \"d\", \"kind\": \"daemon\", \"command\": \"x\","
    " \"resources\": {\"cpus\": 0.1, \"mem\": 1, \"ports\": [\"P\"]},"
    " \"constraints\": [[\"rack\", \"UNLIKE\", \"r9\"]]},"
    " {\"id\": \"s\", \"kind\": \"service\", \"instances\": 3,"
    " \"command\": \"y\", \"role\": \"web\","
    " \"resources\": {\"cpus\": 0.1, \"mem\": 1},"
    " \"constraints\": [[\"hostname\", \"UNIQUE\"]],"
    " \"blacklist_policy\": \"drain\"}]}";

static struct config *fuzz_cfg;

/* Checks the effects of one message and empties the list. */
static void
fuzz_check(struct effects *fx, uint64_t admin_id)
{
	size_t replies = 0;

	for (size_t i = 0; i < fx->n; i++) {
		struct effect *e = &fx->v[i];
		struct buf b;
		char *cause = NULL;

		if (e->type == EFFECT_REPLY && e->u.reply.id == admin_id)
			replies++;
		if (e->type != EFFECT_CALL)
			continue;
		for (int t = 0; t < CODEC_MAX; t++) {
			buf_init(&b, 0);
			if (codec_encode_call((enum codec_type)t,
			    e->u.call.call, &b, &cause) != 0) {
				fprintf(stderr, "call does not encode: %s\n",
				    cause);
				abort();
			}
			buf_clear(&b);
		}
	}
	if (admin_id != 0 && replies != 1)
		abort();
	effects_clear(fx);
}

static void
fuzz_apply(struct sched *s, struct msg *m, int64_t now, struct effects *fx)
{
	m->now = now;
	m->wall = 1700000000000LL + now;
	sched_apply(s, m, fx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct sched *s;
	struct effects fx;
	struct msg m;
	int64_t now = 1000;
	uint64_t admin_id = 0;
	size_t p = 0;
	char *cause = NULL;

	if (fuzz_cfg == NULL) {
		log_init("fuzz_sched", LOG_LEVEL_ERROR, LOG_FORMAT_PLAIN);
		fuzz_cfg = config_parse(fuzz_config_text, "fuzz.json", &cause);
		if (fuzz_cfg == NULL)
			abort();
	}
	effects_init(&fx);
	s = sched_create(fuzz_cfg, NULL, now, 1700000000000LL);
	memset(&m, 0, sizeof m);
	m.type = MSG_EVENT;
	{
		Mesos__V1__Scheduler__Event ev = MESOS__V1__SCHEDULER__EVENT__INIT;
		Mesos__V1__Scheduler__Event__Subscribed sub =
		    MESOS__V1__SCHEDULER__EVENT__SUBSCRIBED__INIT;
		Mesos__V1__FrameworkID fid = MESOS__V1__FRAMEWORK_ID__INIT;

		fid.value = (char *)"fw";
		sub.framework_id = &fid;
		ev.has_type = 1;
		ev.type = MESOS__V1__SCHEDULER__EVENT__TYPE__SUBSCRIBED;
		ev.subscribed = &sub;
		m.u.event = &ev;
		fuzz_apply(s, &m, now, &fx);
		fuzz_check(&fx, 0);
	}
	while (p + 3 <= n) {
		uint8_t kind = in[p];
		size_t len = (size_t)in[p + 1] << 8 | in[p + 2];
		const uint8_t *d = in + p + 3;

		p += 3;
		if (len > n - p)
			len = n - p;
		p += len;
		memset(&m, 0, sizeof m);
		admin_id = 0;
		switch (kind % 8) {
		case 0:
			m.type = MSG_EVENT;
			m.u.event = codec_decode_event(CODEC_PROTOBUF, d, len,
			    &cause);
			free(cause);
			cause = NULL;
			if (m.u.event == NULL)
				continue;
			fuzz_apply(s, &m, now, &fx);
			codec_free(m.u.event);
			break;
		case 1:
			now += 1000 * (len > 0 ? d[0] : 1);
			m.type = MSG_TICK;
			fuzz_apply(s, &m, now, &fx);
			if (sched_next_deadline(s) <= now)
				abort();
			break;
		case 2:
			m.type = MSG_CALL_DONE;
			m.u.call_done.cookie = len > 0 ? d[0] : 1;
			m.u.call_done.status = len > 1 ? (int)d[1] * 2 : 0;
			fuzz_apply(s, &m, now, &fx);
			break;
		case 3: {
			struct admin_req r;

			memset(&r, 0, sizeof r);
			r.id = admin_id = 1 + (uint64_t)p;
			r.op = (enum admin_op)(len > 0 ? d[0] % ADMIN_OP_MAX : 0);
			r.arg = len > 1 ? xstrndup((const char *)d + 1, len - 1) :
			    NULL;
			if (r.arg != NULL && strlen(r.arg) == 0) {
				free(r.arg);
				r.arg = NULL;
			}
			r.instances = len > 1 ? (int64_t)(d[1] % 8) - 1 : -1;
			r.suspended = len > 2 ? (int)(d[2] % 3) - 1 : -1;
			m.type = MSG_ADMIN;
			m.u.admin = &r;
			fuzz_apply(s, &m, now, &fx);
			free(r.arg);
			break;
		}
		case 4:
			m.type = MSG_SESSION;
			m.u.session.state = len > 0 && d[0] % 2 ?
			    SESSION_CONNECTED : SESSION_DISCONNECTED;
			fuzz_apply(s, &m, now, &fx);
			break;
		case 5:
			m.type = MSG_AGENTS;
			m.u.agents = (Mesos__V1__Master__Response__GetAgents *)
			    codec_decode(CODEC_PROTOBUF,
			    &mesos__v1__master__response__get_agents__descriptor,
			    d, len, &cause);
			free(cause);
			cause = NULL;
			if (m.u.agents == NULL)
				continue;
			fuzz_apply(s, &m, now, &fx);
			codec_free(m.u.agents);
			break;
		case 6:
			m.type = MSG_RELOAD;
			m.u.config = fuzz_cfg;
			fuzz_apply(s, &m, now, &fx);
			break;
		default:
			m.type = MSG_SHUTDOWN;
			fuzz_apply(s, &m, now, &fx);
			break;
		}
		fuzz_check(&fx, admin_id);
		if (sched_check(s, &cause) != 0) {
			fprintf(stderr, "after record at %zu (kind %u): %s\n",
			    p, kind, cause);
			abort();
		}
	}
	effects_clear(&fx);
	sched_free(s);
	return 0;
}
