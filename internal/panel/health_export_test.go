package panel

import "time"

// SetHealthPeriods sets the health sampler's sampling and row periods; call it before
// StartAnalytics.
func (p *Panel) SetHealthPeriods(every, row time.Duration) { p.healthEvery, p.healthRow = every, row }
