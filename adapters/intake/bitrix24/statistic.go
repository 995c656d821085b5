package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/callaudit/callaudit"
	"github.com/callaudit/callaudit/adapters/intake"
	"github.com/callaudit/callaudit/adapters/writeback/send"
)

// StatisticMethod is the REST method that gives a call's recording URL
// and CRM record.
const StatisticMethod = "voximplant.statistic.get"

// Record is the part of a voximplant.statistic.get record the intake
// uses (voximplant-statistic-get.md, «Available Fields for Filtering»).
type Record struct {
	CallID     string `json:"CALL_ID"`
	UserID     string `json:"PORTAL_USER_ID"`
	Phone      string `json:"PHONE_NUMBER"`
	CallType   string `json:"CALL_TYPE"`
	Duration   string `json:"CALL_DURATION"`
	StartDate  string `json:"CALL_START_DATE"`
	RecordURL  string `json:"CALL_RECORD_URL"`
	FailedCode string `json:"CALL_FAILED_CODE"`
	// EntityType is CONTACT, COMPANY or LEAD; EntityID its id.
	EntityType string `json:"CRM_ENTITY_TYPE"`
	EntityID   string `json:"CRM_ENTITY_ID"`
}

// Statistics reads call records through an inbound webhook with the
// telephony scope, within the portal's rate limit.
type Statistics struct {
	endpoint string
	client   *intake.Client
}

// NewStatistics returns a reader for the webhook
// https://{portal}/rest/{user}/{code}/ that keeps perSecond and burst (the
// portal's leaky bucket). The URL is a credential: it never shows in
// errors.
func NewStatistics(webhookURL string, perSecond float64, burst int, timeout time.Duration, transport http.RoundTripper) *Statistics {
	trimmed := strings.TrimRight(webhookURL, "/")
	return &Statistics{endpoint: trimmed + "/" + StatisticMethod + ".json",
		client: intake.NewClient(intake.ClientConfig{Service: "Bitrix24", PerSecond: perSecond, Burst: burst, Timeout: timeout,
			Secrets: []string{webhookURL, trimmed}, Transport: transport})}
}

// ErrNoRecord is returned when the history has no record of the call (yet).
var ErrNoRecord = errors.New("bitrix24: no statistics record for the call")

// Get returns the record of callID: POST {"FILTER":{"CALL_ID":…}}, as the
// documented cURL example sends its filter. Bitrix24's 503
// QUERY_LIMIT_EXCEEDED is KindRateLimited; ErrNoRecord when the result is
// empty.
func (s *Statistics) Get(ctx context.Context, callID string) (Record, error) {
	const op = "bitrix24.Statistics"
	body, _ := json.Marshal(map[string]any{"FILTER": map[string]string{"CALL_ID": callID}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return Record{}, callaudit.Wrap(err, callaudit.KindInternal, op, "cannot build the Bitrix24 request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req, op)
	if err != nil {
		var ae *send.AnswerError
		if errors.As(err, &ae) && ae.Status == http.StatusServiceUnavailable && strings.Contains(ae.Body, "QUERY_LIMIT_EXCEEDED") {
			return Record{}, &callaudit.Error{Kind: callaudit.KindRateLimited, Op: op, Err: err,
				Message: "Bitrix24 is rate limiting requests (QUERY_LIMIT_EXCEEDED)", RetryAfter: max(callaudit.RetryAfterOf(err), time.Second)}
		}
		return Record{}, err
	}
	var answer struct {
		Result []Record `json:"result"`
		Error  string   `json:"error"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil || answer.Error != "" {
		return Record{}, callaudit.Errorf(callaudit.KindUpstream, "Bitrix24 answered voximplant.statistic.get with no result")
	}
	for _, r := range answer.Result {
		if r.CallID == callID {
			return r, nil
		}
	}
	return Record{}, ErrNoRecord
}
