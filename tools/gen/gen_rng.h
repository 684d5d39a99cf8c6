/* The generator's pseudo-random numbers: splitmix64 for seeding, xoshiro256** for streams.
 * Header-only so the hot loops inline it; every stream is derived from (seed, purpose, index)
 * so output never depends on the order in which schools are processed. */
#ifndef ROLLCALL_GEN_RNG_H
#define ROLLCALL_GEN_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct gen_rng {
	uint64_t s[4];
} gen_rng;

static inline uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* A well-mixed 64-bit value of up to three inputs (no state): for per-item jitter that must
 * not depend on how many numbers some other stream has drawn. */
static inline uint64_t rng_hash(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t x = a ^ (b * UINT64_C(0xd1342543de82ef95)) ^ (c * UINT64_C(0x9e3779b97f4a7c15));
	(void)rng_splitmix(&x);
	return rng_splitmix(&x);
}

/* Seeds a stream for (seed, purpose, index). */
static inline void rng_init(gen_rng *r, uint64_t seed, uint64_t purpose, uint64_t index)
{
	uint64_t x = rng_hash(seed, purpose, index);
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
}

static inline uint64_t rng_next(gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t t = s[1] << 17;
	uint64_t res = s[1] * 5;
	res = ((res << 7) | (res >> 57)) * 9;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return res;
}

/* Uniform in [0, 1). */
static inline double rng_unit(gen_rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi] (hi >= lo; the tiny modulo bias is irrelevant here). */
static inline int rng_range(gen_rng *r, int lo, int hi)
{
	return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability p. */
static inline int rng_chance(gen_rng *r, double p)
{
	return rng_unit(r) < p;
}

/* Standard normal (Box-Muller; one value per call keeps the stream simple). */
static inline double rng_normal(gen_rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* Index drawn from weights w[0..n) (not all zero). */
static inline int rng_pick(gen_rng *r, const double *w, int n)
{
	double total = 0, x;
	for (int i = 0; i < n; i++)
		total += w[i];
	x = rng_unit(r) * total;
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

#endif
