/* Adapters from a driver `xdrv synth` wrote (prefix PRE, struct Type) to
 * the function types the interpreter's callers take (replay_init,
 * replay_request, the state, the reason and its line): SYNTHESIZED(PRE,
 * Type) defines PRE_init_, PRE_request_, PRE_state_, PRE_reason_ and
 * PRE_line_. Shared by tests/unit/test_synth.c and
 * tests/dev/test_synth_models.c. */
#ifndef XDRV_TESTS_SYNTHESIZED_H
#define XDRV_TESTS_SYNTHESIZED_H

#define SYNTHESIZED(pre, Type)                                                                     \
    static ReplayResult pre##_init_(void *d, const ReplayOps *ops)                                 \
    {                                                                                              \
        return pre##_init(d, ops);                                                                 \
    }                                                                                              \
    static ReplayResult pre##_request_(void *d, SpecRequest req, const uint64_t *params,           \
                                       const uint8_t *frame, uint32_t frame_len)                   \
    {                                                                                              \
        return pre##_request(d, req, params, frame, frame_len);                                    \
    }                                                                                              \
    static uint32_t pre##_state_(const void *d)                                                    \
    {                                                                                              \
        return (uint32_t)((const Type *)d)->state;                                                 \
    }                                                                                              \
    static const char *pre##_reason_(const void *d)                                                \
    {                                                                                              \
        return ((const Type *)d)->reason;                                                          \
    }                                                                                              \
    static uint32_t pre##_line_(const void *d)                                                     \
    {                                                                                              \
        return ((const Type *)d)->reason_line;                                                     \
    }

#endif
