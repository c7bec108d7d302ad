/* Every sentence the user reads about a failed call, in one voice. */
#include "client/api.h"

static const char *const messages[API_ERR_COUNT] = {
    [API_OK] = "",
    [API_ERR_SESSION_UNKNOWN] = "You are signed out. Please sign in again.",
    [API_ERR_SESSION_REVOKED] = "This session was ended (signed out everywhere). Please sign in again.",
    [API_ERR_SESSION_IDLE] = "The session locked itself after a period of inactivity.",
    [API_ERR_SESSION_EXPIRED] = "Your session reached its time limit. Please sign in again.",
    [API_ERR_MFA_OWED] = "Enter your two-factor code first.",
    [API_ERR_NO_PRACTICE] = "Choose a practice first.",
    [API_ERR_ENROLL] = "This practice requires two-factor sign-in: set it up first.",
    [API_ERR_PRACTICE_CLOSED] = "This practice has been closed by its Owner.",
    [API_ERR_DENIED] = "Your role does not allow that.",
    [API_ERR_INVALID] = "The database refused a value as invalid.",
    [API_ERR_STEP_UP] = "Confirm your password to do this.",
    [API_ERR_LOST] = "The database connection was lost; reconnecting.",
    [API_ERR_CANCELLED] = "Cancelled.",
    [API_ERR_SERVER] = "The database reported an error.",
};

const char *api_err_message(enum api_err err)
{
    return (err >= 0 && err < API_ERR_COUNT && messages[err]) ? messages[err] : messages[API_ERR_SERVER];
}
