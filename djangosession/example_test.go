package djangosession_test

import (
	"context"
	"fmt"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Decode session data that Django wrote into django_session.session_data
// (the known answer of Django 3.2, 4.2 and 5.2 for SECRET_KEY
// "test-secret-key").
func ExampleCodec_Decode() {
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	codec, err := djangosession.NewCodec(&s)
	if err != nil {
		panic(err)
	}
	m, err := codec.Decode(".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOpOTEpWqgUAjnEncw:1r31eq:0gBguih2OrpFxX-_yZtfKcUuflrmSR2-mjr1wB7u820")
	if err != nil {
		panic(err)
	}
	id, _ := m.Get(djangosession.KeyAuthUserID)
	fmt.Println(m.Keys(), id)
	// Output: [_auth_user_id _auth_user_backend _auth_user_hash] 1
}

// A Session is lazy: nothing is read until a value is asked for, and Save
// writes it with a new key from crypto/rand.
func ExampleManager_Open() {
	s := djangobridge.Defaults()
	s.SecretKey = "example"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	sess := mgr.Open(ctx, "") // the sessionid cookie's value; "" for none
	if err := sess.Set("cart", []string{"A-100", "B-7"}); err != nil {
		panic(err)
	}
	if err := sess.Save(ctx); err != nil {
		panic(err)
	}
	again := mgr.Open(ctx, sess.Key())
	cart, _ := again.Get("cart")
	fmt.Println(len(sess.Key()), cart, again.ExpiryAge())
	// Output: 32 [A-100 B-7] 1209600
}

// The age Django's cached_db engine gives a cache entry from a row's
// expire_date: with USE_TZ=False (TIME_ZONE Europe/Paris) it subtracts
// naive wall clocks, so a day across the spring DST change is 86400 s,
// though only 23 hours pass; with USE_TZ=True it is the real interval.
func ExampleExpiryAgeIn() {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println("no tz database")
		return
	}
	now := time.Date(2026, 3, 28, 12, 0, 0, 0, paris)
	expire := time.Date(2026, 3, 29, 12, 0, 0, 0, paris)
	fmt.Println(djangosession.ExpiryAgeIn(expire, now, paris))    // USE_TZ=False
	fmt.Println(djangosession.ExpiryAgeIn(expire, now, time.UTC)) // USE_TZ=True
	// Output:
	// 86400
	// 82800
}

// Django with USE_TZ=False keeps naive wall clocks in TIME_ZONE, and its
// naive arithmetic can reach 02:30 on the day Paris skips 02:00-03:00.
// FromWallClock keeps that wall clock (at the offset before the change,
// the instant PostgreSQL gives it); WallClock gives it back, as Django
// writes it to SQLite and MySQL.
func ExampleFromWallClock() {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		fmt.Println("no tz database")
		return
	}
	w := time.Date(2027, 3, 28, 2, 30, 0, 0, time.UTC) // the naive wall clock's fields
	t := djangosession.FromWallClock(w, paris)
	fmt.Println(t.Format("2006-01-02 15:04 -07:00"), t.UTC().Format("15:04Z"))
	fmt.Println(djangosession.WallClock(t, paris).Format("2006-01-02 15:04"))
	fmt.Println(t.In(paris).Format("2006-01-02 15:04")) // what t.In would write
	// Output:
	// 2027-03-28 02:30 +01:00 01:30Z
	// 2027-03-28 02:30
	// 2027-03-28 03:30
}
